//! `werk check`: valid files pass with a summary, broken ones fail naming line and column.

use std::path::Path;
use std::process::Command;

fn check(args: &[&str], dir: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_werk"))
        .arg("check")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

#[test]
fn every_sample_file_passes() {
    let fixtures =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/wercker-yml");
    let mut checked = 0;
    for entry in std::fs::read_dir(&fixtures).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "yml") {
            let out = check(&[path.to_str().unwrap()], &fixtures);
            assert!(
                out.status.success(),
                "{}: {}",
                path.display(),
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(String::from_utf8_lossy(&out.stdout).contains("pipelines: "));
            checked += 1;
        }
    }
    assert_eq!(checked, 7);
}

#[test]
fn a_broken_file_fails_with_line_column_and_the_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("wercker.yml"),
        "build:\n  steps:\n    - script:\n        name: a\n        code: echo\n   bad: 1\n",
    )
    .unwrap();
    let out = check(&[], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("wercker.yml:6:4: "), "{err}");
    assert!(err.contains("\n   bad: 1\n   ^"), "{err}");

    let empty = tempfile::tempdir().unwrap();
    let out = check(&[], empty.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no ewok.yml, wercker.yml or .wercker.yml")
    );
}
