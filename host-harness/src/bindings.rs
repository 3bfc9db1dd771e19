//! Host-side bindings of the `connector:source@0.1.0` WIT package (the `source-host` world: the
//! `source` exports alone). Generated code, private to the crate: [`crate::runtime::Run`] wraps
//! the calls, and the crate root re-exports the data types an embedder sees, by name.
#![allow(missing_docs, unreachable_pub)]

wasmtime::component::bindgen!({
    path: "../wit",
    world: "source-host",
    exports: { default: async },
});

pub use exports::connector::source::source::{
    Error as WitError, Page, PageStats, RateLimit, StreamDescriptor, SyncMode,
};
