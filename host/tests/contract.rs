//! Released contract versions are frozen: modules built against them must
//! keep running, so their WIT may never change. A new version is a new folder.

use sha2::{Digest, Sha256};

/// sha256 over (file name, contents) of every file in each released folder.
const RELEASED: [(&str, &str); 3] = [
    (
        "since_v0.1.0",
        "def1f899f0eb93ade50b1fd034777a5dbd13c997a890c57f511cc24cc2cd6ede",
    ),
    (
        "since_v0.2.0",
        "40a96fa172d9dd1d0b98724f4d4ace375b4de0a1903096213d6c65e004165f9e",
    ),
    (
        "since_v0.3.0",
        "c2fb5708156d14306ce0272b9097b5b45c6be3b6af9b08dbeb7609ce619bd766",
    ),
];

#[test]
fn released_wit_is_unchanged() {
    for (folder, sha) in RELEASED {
        assert_eq!(
            folder_hash(folder),
            sha,
            "sdk/wit/{folder} was released; put changes in a new folder"
        );
    }
}

fn folder_hash(folder: &str) -> String {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../sdk/wit")
        .join(folder);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("wit folder")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    let mut hash = Sha256::new();
    for file in files {
        hash.update(file.file_name().expect("name").as_encoded_bytes());
        hash.update(std::fs::read(&file).expect("read"));
    }
    hex::encode(hash.finalize())
}

#[test]
fn the_sdk_builds_against_a_contract_the_host_runs() {
    assert!(baton_host::runtime::SUPPORTED_CONTRACTS.contains(&baton_sdk::CONTRACT_VERSION));
}
