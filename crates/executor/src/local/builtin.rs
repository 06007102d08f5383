//! werk's built-in registry steps: bash replacements, embedded in the binary, for the
//! registry steps that real wercker.yml files use most, so that those files run without
//! the long-gone step registry.
//!
//! Each is matched by name for the owners that real files give it, whatever the version.

/// The files of one built-in step: `(file name, content)`.
pub(crate) type Files = &'static [(&'static str, &'static str)];

/// One built-in step.
struct Builtin {
    /// The step name, as in the id.
    name: &'static str,
    /// The owners it answers for; `wercker` is the owner of ids without one.
    owners: &'static [&'static str],
    files: Files,
}

macro_rules! step_files {
    ($dir:literal) => {
        &[
            (
                "step.yml",
                include_str!(concat!("builtin/", $dir, "/step.yml")),
            ),
            ("run.sh", include_str!(concat!("builtin/", $dir, "/run.sh"))),
        ]
    };
}

const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "install-packages",
        owners: &["wercker"],
        files: step_files!("install-packages"),
    },
    Builtin {
        name: "add-to-known_hosts",
        owners: &["wercker"],
        files: step_files!("add-to-known_hosts"),
    },
    Builtin {
        name: "add-ssh-key",
        owners: &["wercker"],
        files: step_files!("add-ssh-key"),
    },
    Builtin {
        name: "create-file",
        owners: &["wercker"],
        files: step_files!("create-file"),
    },
    Builtin {
        name: "hugo-build",
        owners: &["arjen", "wercker"],
        files: step_files!("hugo-build"),
    },
    Builtin {
        name: "gh-pages",
        owners: &["lukevivier", "wercker"],
        files: step_files!("gh-pages"),
    },
];

/// The manifest (`step.yml`) among a built-in step's files.
pub(crate) fn manifest(files: Files) -> &'static str {
    files
        .iter()
        .find(|(name, _)| *name == "step.yml")
        .map_or("", |(_, text)| text)
}

/// The built-in step for `owner/name`, if werk has one.
pub(crate) fn find(owner: &str, name: &str) -> Option<Files> {
    BUILTINS
        .iter()
        .find(|b| b.name == name && b.owners.contains(&owner))
        .map(|b| b.files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matched_by_owner_and_name() {
        assert!(find("arjen", "hugo-build").is_some());
        assert!(find("wercker", "hugo-build").is_some());
        assert!(find("lukevivier", "gh-pages").is_some());
        assert!(find("wercker", "install-packages").is_some());
        assert!(find("someone", "install-packages").is_none());
        assert!(find("wercker", "npm-install").is_none());
    }

    #[test]
    fn every_builtin_declares_its_properties() {
        for b in BUILTINS {
            let (_, manifest) = b.files[0];
            assert!(
                manifest.contains(&format!("name: {}", b.name)),
                "{}",
                b.name
            );
            assert!(manifest.contains("properties:"), "{}", b.name);
            let (_, run) = b.files[1];
            assert!(run.starts_with("#!/bin/bash"), "{}", b.name);
        }
    }
}
