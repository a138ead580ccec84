//! The constants the window needs from core, written as TypeScript by the tests (like the
//! ts-rs types and the built-in catalog), so the UI imports them instead of keeping copies.

use crate::adobe::ims::DEFAULT_SCOPES;

#[test]
fn exports_the_constants_the_ui_uses() {
    let dir = std::env::var_os("TS_RS_EXPORT_DIR").expect("set by .cargo/config.toml");
    let module = format!(
        "// Generated from crates/core/src/ui_constants.rs by the core tests. Do not edit.\n\n\
         /** The IMS scopes a new Adobe account asks for (core's `adobe::ims::DEFAULT_SCOPES`). */\n\
         export const DEFAULT_SCOPES = {};\n",
        serde_json::to_string(DEFAULT_SCOPES).expect("a string")
    );
    let file = std::path::Path::new(&dir).join("constants.ts");
    if std::fs::read_to_string(&file).ok().as_deref() != Some(module.as_str()) {
        std::fs::write(&file, &module).expect("the bindings folder is writable");
    }
    assert!(std::fs::read_to_string(&file).expect("written").contains(DEFAULT_SCOPES));
}
