//! `ordoscan-synth`: writes synthetic prescription pages with their truth.
//!
//! `ordoscan-synth fixtures DIR` rewrites the committed fixture set of `test-images/`.

use std::path::PathBuf;

use anyhow::{Context, bail};
use ordoscan::synth::fixtures;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
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
        _ => bail!("usage: ordoscan-synth fixtures DIR"),
    }
}
