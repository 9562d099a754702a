//! `switchboard contacts import` and `export` in a terminal-less run (plain progress lines).

use crate::cli::switchboard;

fn run(dir: &std::path::Path, args: &[&str]) -> (bool, String, String) {
    let out = switchboard(dir).args(args).output().unwrap();
    let text = |b: Vec<u8>| String::from_utf8(b).unwrap();
    (out.status.success(), text(out.stdout), text(out.stderr))
}

#[test]
fn the_cli_import_prints_progress_and_a_summary_with_the_refused_rows_and_export_reads_them_back() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, _, err) = run(
        dir.path(),
        &["org", "create", "--slug", "acme", "--name", "Acme"],
    );
    assert!(ok, "{err}");
    let file = dir.path().join("people.csv");
    std::fs::write(
        &file,
        "Name,Cell,Zone\nAda Lovelace,(415) 555-0101,Europe/London\nBad Number,12,\nGrace Hopper,415 555 0102,\n",
    )
    .unwrap();
    let file = file.to_str().unwrap();
    let (ok, out, err) = run(
        dir.path(),
        &[
            "contacts",
            "import",
            file,
            "--org",
            "acme",
            "--country",
            "US",
            "--list",
            "Pioneers",
            "--map",
            "Zone=time_zone",
        ],
    );
    assert!(ok, "{err}");
    assert!(out.contains("progress: 100%"), "{out}");
    assert!(
        out.contains("Imported people.csv into 'acme'")
            && out.contains("3 rows read, 2 created, 0 merged, 1 refused"),
        "{out}"
    );
    assert!(
        out.contains("line 3, Cell: \"12\" is too short to be a phone number"),
        "{out}"
    );
    let exported = dir.path().join("out.csv");
    let (ok, _, err) = run(
        dir.path(),
        &[
            "contacts",
            "export",
            "--org",
            "acme",
            "--list",
            "Pioneers",
            exported.to_str().unwrap(),
        ],
    );
    assert!(ok, "{err}");
    let csv = std::fs::read_to_string(&exported).unwrap();
    assert_eq!(csv.lines().count(), 3, "{csv}");
    assert!(
        csv.contains("Ada,Lovelace,+14155550101,,,Europe/London,"),
        "{csv}"
    );
}

#[test]
fn the_cli_refuses_a_binary_file_or_a_bad_flag_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    assert!(
        run(
            dir.path(),
            &["org", "create", "--slug", "acme", "--name", "Acme"]
        )
        .0
    );
    let file = dir.path().join("book.xlsx");
    std::fs::write(&file, b"PK\x03\x04\x00\x00binary").unwrap();
    let file = file.to_str().unwrap();
    let (ok, _, err) = run(dir.path(), &["contacts", "import", file, "--org", "acme"]);
    assert!(!ok);
    assert!(
        err.contains("is not a CSV text file: a NUL byte at byte 4"),
        "{err}"
    );
    let (ok, _, err) = run(
        dir.path(),
        &[
            "contacts",
            "import",
            file,
            "--org",
            "acme",
            "--country",
            "Narnia",
        ],
    );
    assert!(!ok && err.contains("--country"), "{err}");
    let (ok, _, err) = run(dir.path(), &["contacts", "import", file, "--org", "nope"]);
    assert!(!ok && err.contains("--org"), "{err}");
}
