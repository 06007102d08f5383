//! Inputs that once broke the parser (from fuzzing or reports), kept under
//! `tests/regressions/`: each must parse or fail with an error, without panicking.

#[test]
fn every_saved_input_gives_a_result_or_an_error() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/regressions");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        if let Err(err) = werk_yml::parse("wercker.yml", &text) {
            assert!(
                err.line >= 1 && err.column >= 1,
                "{}: {err:?}",
                path.display()
            );
        }
        seen += 1;
    }
    assert!(seen >= 2, "the regression inputs are in {}", dir.display());
}
