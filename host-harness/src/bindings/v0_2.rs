//! `connector:source@0.2.0` (`wit/source.wit`), the current contract: its types are the ones the
//! host's API uses.
#![allow(missing_docs, unreachable_pub)]

wasmtime::component::bindgen!({
    path: "../wit",
    world: "source-host",
    exports: { default: async },
});
