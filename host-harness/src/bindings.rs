//! Host-side bindings of the `connector:source@0.1.0` WIT package (the `source-host` world: the
//! `source` exports alone). Generated code; the crate's API wraps it in [`crate::instance`].

wasmtime::component::bindgen!({
    path: "../wit",
    world: "source-host",
    exports: { default: async },
});

pub use exports::connector::source::source::{
    Error as WitError, Page, PageStats, StreamDescriptor, SyncMode,
};
