//! `answerbank model status`: which sentence-embedding model the library's commands would use, and why; and
//! `answerbank model install`, which fetches the reference model into the Hugging Face cache
//! (`answerbank::semantic::download`).
//!
//! In: the library folder and the same `--model` / `--no-model` the matching commands take. Out: the model
//! directory, where the choice came from (see `answerbank::semantic::installed` for the order), whether it loads,
//! and whether the reference model is in the Hugging Face cache. Reads only; builds the library's index if needed.

use anyhow::Result;
use serde_json::json;

use super::ExitStatus;
use crate::cli::{ModelInstallArgs, ModelStatusArgs};

#[cfg(feature = "download")]
pub fn install(args: ModelInstallArgs) -> Result<ExitStatus> {
    use answerbank::semantic::installed::{REFERENCE_MODEL, hub_cache_dir};

    let Some(cache) = hub_cache_dir() else {
        anyhow::bail!(
            "there is no Hugging Face cache folder to install into: set HF_HOME (or HF_HUB_CACHE, or HOME)"
        );
    };
    if !args.json {
        say!(
            "fetching {} ({}) into {}",
            args.model_id,
            args.revision,
            cache.display()
        );
    }
    let options = answerbank::semantic::download::Options {
        stall: std::time::Duration::from_secs(args.stall_secs),
        progress: !args.json,
    };
    let installed =
        answerbank::semantic::download::install(&args.model_id, &args.revision, &cache, &options)?;
    let encoder = answerbank::semantic::Encoder::load(&installed.dir)?;
    let bytes: u64 = installed.files.iter().map(|(_, size)| size).sum();
    let automatic = args.model_id == REFERENCE_MODEL;
    if args.json {
        let value = json!({
            "model_id": args.model_id,
            "revision": args.revision,
            "dir": installed.dir.display().to_string(),
            "files": installed.files.iter().map(|(f, size)| json!({"file": f, "bytes": size})).collect::<Vec<_>>(),
            "absent": installed.absent,
            "dimension": encoder.dimension(),
            "used_without_configuration": automatic,
        });
        out!("{}", serde_json::to_string_pretty(&value)?)?;
    } else {
        out!(
            "installed {} in {} ({} files, {:.1} MB, every checksum verified; {} dimensions)",
            args.model_id,
            installed.dir.display(),
            installed.files.len(),
            bytes as f64 / 1e6,
            encoder.dimension()
        )?;
        if automatic {
            out!(
                "draft, search and eval use it from now on (answerbank model status; --no-model turns it off)"
            )?;
        } else {
            out!(
                "to use it, give --model {} or name it in library.toml ([semantic] model)",
                installed.dir.display()
            )?;
        }
    }
    Ok(ExitStatus::Success)
}

#[cfg(not(feature = "download"))]
pub fn install(_args: ModelInstallArgs) -> Result<ExitStatus> {
    anyhow::bail!(
        "this answerbank was built without `model install` (cargo feature `download`); put a model in the Hugging \
         Face cache or name one with --model (see docs/semantic.md)"
    )
}

#[cfg(feature = "semantic")]
pub fn status(args: ModelStatusArgs) -> Result<ExitStatus> {
    use answerbank::matching::semantic::model_dir;
    use answerbank::semantic::installed::{REFERENCE_MODEL, hub_cache_dir, installed_reference};

    let library = &args.library.library;
    let chosen = if args.semantic.no_model {
        None
    } else {
        // Without a library here, only --model or the installed reference model can be used.
        let index = library
            .is_dir()
            .then(|| super::open_library(library))
            .transpose()?;
        model_dir(index.as_ref(), args.semantic.model.as_deref())
    };
    let loaded = chosen
        .as_ref()
        .map(|(dir, _)| answerbank::semantic::Encoder::load(dir));
    let hub = hub_cache_dir();
    let reference = installed_reference();

    if args.json {
        let value = json!({
            "semantic": matches!(loaded, Some(Ok(_))),
            "model": chosen.as_ref().map(|(dir, _)| dir.display().to_string()),
            "source": chosen.as_ref().map(|(_, source)| source.key()),
            "dimension": loaded.as_ref().and_then(|l| l.as_ref().ok()).map(|e| e.dimension()),
            "error": loaded.as_ref().and_then(|l| l.as_ref().err()).map(|e| format!("{e:#}")),
            "no_model": args.semantic.no_model,
            "hub_cache": hub.as_ref().map(|d| d.display().to_string()),
            "reference_model": REFERENCE_MODEL,
            "reference_installed": reference.as_ref().map(|d| d.display().to_string()),
        });
        out!("{}", serde_json::to_string_pretty(&value)?)?;
    } else {
        match (&chosen, &loaded) {
            (Some((dir, source)), Some(Ok(encoder))) => out!(
                "semantic matching: on, with {} ({}; {} dimensions)",
                dir.display(),
                source.describe(),
                encoder.dimension()
            )?,
            (Some((dir, source)), Some(Err(err))) => out!(
                "semantic matching: the model in {} ({}) cannot be used: {err:#}\n  \
                 draft, search and eval will stop with this error; --no-model matches without it",
                dir.display(),
                source.describe()
            )?,
            _ if args.semantic.no_model => out!("semantic matching: off (--no-model)")?,
            _ => out!(
                "semantic matching: off (no --model, no [semantic] model in library.toml, and the reference model \
                 is not in the Hugging Face cache)"
            )?,
        }
        match (&hub, &reference) {
            (_, Some(dir)) => out!(
                "reference model {REFERENCE_MODEL}: installed at {}",
                dir.display()
            )?,
            (Some(hub), None) => out!(
                "reference model {REFERENCE_MODEL}: not in the Hugging Face cache ({})\n  \
                 see docs/semantic.md for how to get it",
                hub.display()
            )?,
            (None, None) => out!(
                "reference model {REFERENCE_MODEL}: no Hugging Face cache folder (neither HF_HUB_CACHE, HF_HOME, \
                 XDG_CACHE_HOME nor HOME is set)"
            )?,
        }
    }
    Ok(if matches!(loaded, Some(Ok(_))) {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
}

#[cfg(not(feature = "semantic"))]
pub fn status(args: ModelStatusArgs) -> Result<ExitStatus> {
    let message = "this answerbank was built without semantic matching (cargo feature `semantic`)";
    if args.json {
        out!("{}", json!({ "semantic": false, "error": message }))?;
    } else {
        out!("semantic matching: off: {message}")?;
    }
    Ok(ExitStatus::Failure)
}
