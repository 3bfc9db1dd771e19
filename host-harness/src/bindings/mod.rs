//! Host-side bindings of every `connector:source` version the host loads, behind one face.
//!
//! Like Zed's `since_v*` extension adapters: each published version has its generated bindings
//! (from its frozen WIT folder) and converts its values into the current version's, so the rest
//! of the crate knows one set of types ([`v0_2`]'s). [`SourcePre`] is a linked component of any
//! version, [`Source`] an instance of it; both are private to the crate (see
//! [`crate::runtime::Run`]), and the crate root re-exports the data types an embedder sees.
//!
//! | version | WIT | what a component of it can do |
//! |---|---|---|
//! | 0.2.0 | `wit/source.wit` | everything, including derived streams (`read-page-and-children`) |
//! | 0.1.0 | `wit/v0.1.0/` (frozen) | ordinary streams; asked for children, the host answers `unknown-stream` itself |

mod v0_1;
mod v0_2;

use crate::runtime::store::RunState;
use wasmtime::component::InstancePre;
use wasmtime::Store;

pub use v0_2::exports::connector::source::source::{
    ChildRecords, Error as WitError, Page, PageAndChildren, PageStats, RateLimit, StreamDescriptor,
    SyncMode,
};

/// The contract versions the host loads, newest first.
pub(crate) const VERSIONS: [&str; 2] = ["0.2.0", "0.1.0"];

/// A linked component, of whichever version it exports.
pub(crate) enum SourcePre {
    /// `connector:source@0.2.0`.
    V0_2(v0_2::SourceHostPre<RunState>),
    /// `connector:source@0.1.0`.
    V0_1(v0_1::SourceHostPre<RunState>),
}

/// One instance of a component.
pub(crate) enum Source {
    /// `connector:source@0.2.0`.
    V0_2(v0_2::SourceHost),
    /// `connector:source@0.1.0`.
    V0_1(v0_1::SourceHost),
}

/// A call's outcome: a trap (outer) or the connector's answer (inner).
type Call<T> = wasmtime::Result<Result<T, WitError>>;

impl SourcePre {
    /// The newest version the component exports; `None` if it exports none of them.
    pub(crate) fn new(pre: InstancePre<RunState>) -> Option<SourcePre> {
        if let Ok(p) = v0_2::SourceHostPre::new(pre.clone()) {
            return Some(SourcePre::V0_2(p));
        }
        v0_1::SourceHostPre::new(pre).ok().map(SourcePre::V0_1)
    }

    /// The contract version, as `0.2.0`.
    pub(crate) fn version(&self) -> &'static str {
        match self {
            SourcePre::V0_2(_) => VERSIONS[0],
            SourcePre::V0_1(_) => VERSIONS[1],
        }
    }

    /// Instantiates the component into `store`.
    pub(crate) async fn instantiate(
        &self,
        store: &mut Store<RunState>,
    ) -> wasmtime::Result<Source> {
        Ok(match self {
            SourcePre::V0_2(p) => Source::V0_2(p.instantiate_async(store).await?),
            SourcePre::V0_1(p) => Source::V0_1(p.instantiate_async(store).await?),
        })
    }
}

impl Source {
    /// `spec`.
    pub(crate) async fn spec(&self, s: &mut Store<RunState>) -> Call<String> {
        match self {
            Source::V0_2(b) => b.connector_source_source().call_spec(s).await.map(Ok),
            Source::V0_1(b) => b.connector_source_source().call_spec(s).await.map(Ok),
        }
    }

    /// `check`.
    pub(crate) async fn check(&self, s: &mut Store<RunState>, config: &str) -> Call<()> {
        match self {
            Source::V0_2(b) => b.connector_source_source().call_check(s, config).await,
            Source::V0_1(b) => {
                let r = b.connector_source_source().call_check(s, config).await?;
                Ok(r.map_err(Into::into))
            }
        }
    }

    /// `discover`.
    pub(crate) async fn discover(
        &self,
        s: &mut Store<RunState>,
        config: &str,
    ) -> Call<Vec<StreamDescriptor>> {
        match self {
            Source::V0_2(b) => b.connector_source_source().call_discover(s, config).await,
            Source::V0_1(b) => {
                let r = b.connector_source_source().call_discover(s, config).await?;
                Ok(r.map(|d| d.into_iter().map(Into::into).collect())
                    .map_err(Into::into))
            }
        }
    }

    /// `read-page-and-children` (`read-page` when `children` is empty, the only form a 0.1
    /// component knows).
    pub(crate) async fn read_page(
        &self,
        s: &mut Store<RunState>,
        args: &ReadArgs,
    ) -> Call<PageAndChildren> {
        let (config, stream) = (args.config.as_str(), args.stream.as_str());
        let (state, cursor) = (args.state.as_deref(), args.cursor.as_deref());
        match self {
            Source::V0_2(b) if args.children.is_empty() => {
                let r = b
                    .connector_source_source()
                    .call_read_page(s, config, stream, state, cursor);
                Ok(r.await?.map(|page| PageAndChildren {
                    page,
                    children: Vec::new(),
                }))
            }
            Source::V0_2(b) => {
                let r = b.connector_source_source().call_read_page_and_children(
                    s,
                    config,
                    stream,
                    state,
                    cursor,
                    &args.children,
                );
                r.await
            }
            Source::V0_1(_) if !args.children.is_empty() => {
                Ok(Err(WitError::UnknownStream(format!(
                    "{} cannot be read with {stream}: this component implements \
                     connector:source@0.1.0, which has no derived streams",
                    args.children.join(", ")
                ))))
            }
            Source::V0_1(b) => {
                let r = b
                    .connector_source_source()
                    .call_read_page(s, config, stream, state, cursor);
                Ok(r.await?
                    .map(|page| PageAndChildren {
                        page: page.into(),
                        children: Vec::new(),
                    })
                    .map_err(Into::into))
            }
        }
    }
}

/// The arguments of one read.
#[derive(Debug, Clone)]
pub(crate) struct ReadArgs {
    /// The config, as JSON text.
    pub(crate) config: String,
    /// The stream.
    pub(crate) stream: String,
    /// Its state, as JSON text.
    pub(crate) state: Option<String>,
    /// Its cursor, as JSON text.
    pub(crate) cursor: Option<String>,
    /// The derived streams to read with it.
    pub(crate) children: Vec<String>,
}
