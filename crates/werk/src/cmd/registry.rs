//! `werk step-info`: what a server would run for a registry step (`owner/name@version`),
//! from `GET /api/v2/steps/:owner/:name/:version`.

use std::process::ExitCode;

use anyhow::Context;
use clap::Args;

use crate::cli::ServerArgs;
use crate::client::{Client, encode, text};
use crate::output::{OutputArgs, Table, items, print_details, print_json, shown};

#[derive(Debug, Args)]
pub struct StepInfoArgs {
    /// The step as wercker.yml names it: `owner/name`, `owner/name@version` or `name`
    /// (owner `wercker`).
    pub step: String,
    #[command(flatten)]
    pub server: ServerArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

pub async fn run(args: StepInfoArgs) -> anyhow::Result<ExitCode> {
    let (owner, name, version) = split(&args.step)?;
    let client = Client::new(&args.server)?;
    let step = client
        .get(&format!(
            "/api/v2/steps/{}/{}/{}",
            encode(owner),
            encode(name),
            encode(version)
        ))
        .await?;
    if args.output.json {
        print_json(&step)?;
        return Ok(ExitCode::SUCCESS);
    }
    print_details(&[
        (
            "step",
            format!(
                "{}/{}@{}",
                text(&step, "owner"),
                text(&step, "name"),
                text(&step, "version")
            ),
        ),
        ("source", shown(&step, "source")),
        ("repository", shown(&step, "repository")),
        ("summary", shown(&step, "summary")),
    ]);
    let properties = step.get("properties").map(items).unwrap_or_default();
    if !properties.is_empty() {
        println!();
        let mut table = Table::new(&["PROPERTY", "TYPE", "REQUIRED", "DEFAULT"]);
        for p in properties {
            table.row(&[
                text(p, "name").to_string(),
                text(p, "type").to_string(),
                if p["required"] == true { "yes" } else { "no" }.to_string(),
                text(p, "default").to_string(),
            ]);
        }
        table.print();
    }
    Ok(ExitCode::SUCCESS)
}

/// `owner/name@version` into its parts; no owner means `wercker`, no version `latest`.
fn split(id: &str) -> anyhow::Result<(&str, &str, &str)> {
    let (path, version) = match id.split_once('@') {
        Some((path, version)) => (path, version),
        None => (id, "latest"),
    };
    let (owner, name) = path.split_once('/').unwrap_or(("wercker", path));
    (!owner.is_empty() && !name.is_empty() && !version.is_empty())
        .then_some((owner, name, version))
        .with_context(|| format!("{id:?} is not a step id (owner/name@version)"))
}

#[cfg(test)]
mod tests {
    use super::split;

    #[test]
    fn step_ids() {
        assert_eq!(
            split("arjen/hugo-build@1.12.0").unwrap(),
            ("arjen", "hugo-build", "1.12.0")
        );
        assert_eq!(
            split("install-packages").unwrap(),
            ("wercker", "install-packages", "latest")
        );
        assert!(split("a/@1").is_err());
        assert!(split("x@").is_err());
    }
}
