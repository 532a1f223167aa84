//! `ordoscan-synth`: writes synthetic prescription pages with their truth.
//!
//! - `ordoscan-synth fixtures DIR` rewrites the committed fixture set of `test-images/`;
//! - `ordoscan-synth corpus --n N --seed S [--max-dpi D] [--faces dejavu|office] DIR`
//!   writes a degraded-scan corpus: `N` pages with a `*.truth.json` each, the same bytes
//!   for the same seed. With `--faces office` the legends and HRIs are printed in the
//!   Liberation faces (Arial, Times New Roman and Courier New's clones) instead of DejaVu;
//!   the pages are otherwise the same.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use ordoscan::synth::{Typeface, corpus, fixtures};
use rayon::prelude::*;

fn write_corpus(
    n: u32,
    seed: u64,
    max_dpi: f64,
    faces: &[Typeface],
    dir: &Path,
) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    (1..=n)
        .into_par_iter()
        .try_for_each(|i| -> anyhow::Result<()> {
            let page = corpus::generate_in(seed, i, max_dpi, faces);
            std::fs::write(dir.join(&page.name), &page.bytes)?;
            let truth = serde_json::to_string_pretty(&page.truth)? + "\n";
            std::fs::write(dir.join(format!("{}.truth.json", page.name)), truth)?;
            Ok(())
        })?;
    eprintln!("wrote {n} pages (seed {seed}) to {}", dir.display());
    Ok(())
}

const USAGE: &str = "usage: ordoscan-synth fixtures DIR | ordoscan-synth corpus --n N --seed S [--max-dpi D] [--faces dejavu|office] DIR";

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return Ok(());
    }
    match args.as_slice() {
        [cmd, dir] if cmd == "fixtures" => {
            let dir = PathBuf::from(dir);
            std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
            for f in fixtures::all() {
                let path = dir.join(f.name);
                std::fs::write(&path, &f.bytes)
                    .with_context(|| format!("writing {}", path.display()))?;
                let truth = serde_json::to_string_pretty(&f.truth)? + "\n";
                std::fs::write(dir.join(fixtures::truth_name(f.name)), truth)?;
                eprintln!("wrote {} ({} bytes)", path.display(), f.bytes.len());
            }
            Ok(())
        }
        [cmd, rest @ ..] if cmd == "corpus" => {
            let (mut n, mut seed, mut max_dpi, mut dir) = (100u32, 1u64, 600.0, None);
            let mut faces: &[Typeface] = &Typeface::ALL;
            let mut it = rest.iter();
            while let Some(a) = it.next() {
                match a.as_str() {
                    "--n" => n = it.next().context("--n needs a number")?.parse()?,
                    "--seed" => seed = it.next().context("--seed needs a number")?.parse()?,
                    "--max-dpi" => {
                        max_dpi = it.next().context("--max-dpi needs a number")?.parse()?
                    }
                    "--faces" => {
                        faces = match it.next().map(String::as_str) {
                            Some("dejavu") => &Typeface::ALL,
                            Some("office") => &Typeface::OFFICE,
                            _ => bail!("--faces needs dejavu or office\n{USAGE}"),
                        }
                    }
                    other if other.starts_with('-') => bail!("unknown option {other}\n{USAGE}"),
                    other => dir = Some(PathBuf::from(other)),
                }
            }
            write_corpus(
                n,
                seed,
                max_dpi,
                faces,
                &dir.context("corpus needs an output directory")?,
            )
        }
        _ => bail!(USAGE),
    }
}
