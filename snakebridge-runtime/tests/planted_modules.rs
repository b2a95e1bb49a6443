//! No Python that snakebridge starts imports from the working directory: a `json.py`, `os.py`,
//! `base64.py` or `platform.py` planted there never runs, in pool workers or in the embedded
//! client's start-up probes. (Its own process: it changes the working directory.)

#![cfg(feature = "embedded")]

use std::path::PathBuf;

use snakebridge_runtime::{
    Bytes, EmbeddedClient, PoolClient, PoolConfig, call, module_attr, with_client,
};

const PLANTED: &[&str] = &["json", "os", "base64", "platform", "site", "encodings"];

#[test]
fn modules_planted_in_the_working_directory_never_run() {
    let dir = std::env::temp_dir().join(format!("sb-planted-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let marker: PathBuf = dir.join("RAN");
    for name in PLANTED {
        // Builtins only: the planted file must not depend on the modules it shadows.
        let code = format!(
            "open({:?}, 'a').write('{name} ran\\n')\nraise SystemExit('planted {name} ran')\n",
            marker.to_str().unwrap()
        );
        std::fs::write(dir.join(format!("{name}.py")), code).unwrap();
    }
    std::env::set_current_dir(&dir).unwrap();

    // Embedded: the start-up probes (SNAKEBRIDGE_PYTHON's version and sys.path) and calls.
    let env = EmbeddedClient::shared().environment().unwrap();
    assert!(
        !env.added_paths
            .iter()
            .any(|p| p == &dir || p.as_os_str().is_empty()),
        "{env:?}"
    );
    let text: String = call("json", "dumps", (vec![1, 2],)).unwrap();
    assert_eq!(text, "[1, 2]");
    let json_file: String = module_attr("json", "__file__").unwrap();
    assert!(!json_file.starts_with(dir.to_str().unwrap()), "{json_file}");

    // Pool: workers start, import their adapter's modules and run calls.
    let pool = PoolClient::start(PoolConfig::new().size(2)).unwrap();
    with_client(pool.clone(), || {
        let text: String = call("json", "dumps", (vec![3],)).unwrap();
        assert_eq!(text, "[3]");
        let encoded: Bytes = call("base64", "b64encode", (Bytes(b"hi".to_vec()),)).unwrap();
        assert_eq!(encoded.0, b"aGk=");
        let json_file: String = module_attr("json", "__file__").unwrap();
        assert!(!json_file.starts_with(dir.to_str().unwrap()), "{json_file}");
    });
    assert_eq!(pool.stats("default").unwrap().restarts, 0);
    pool.shutdown();

    let ran = std::fs::read_to_string(&marker).unwrap_or_default();
    std::env::set_current_dir(std::env::temp_dir()).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(ran.is_empty(), "planted modules ran:\n{ran}");
}
