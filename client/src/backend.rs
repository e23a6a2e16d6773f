//! The client's async side: a tokio runtime on a background thread runs every gRPC call;
//! the UI thread never blocks. A call's result comes back through a [`Promise`], and the
//! finished call asks egui to repaint.

use std::future::Future;
use std::sync::{Arc, Mutex};

use crate::api::ApiError;

/// Runs futures on a background runtime and wakes the UI when they finish.
#[derive(Clone)]
pub struct Backend {
    runtime: Arc<tokio::runtime::Runtime>,
    ctx: egui::Context,
}

impl Backend {
    /// A runtime with two worker threads, repainting `ctx` when work finishes.
    pub fn new(ctx: egui::Context) -> Backend {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("pharmacrm-net")
            .enable_all()
            .build()
            .expect("start the network runtime");
        Backend {
            runtime: Arc::new(runtime),
            ctx,
        }
    }

    /// Starts `future`; its result is in the returned promise when done.
    pub fn spawn<T, F>(&self, future: F) -> Promise<T>
    where
        T: Send + 'static,
        F: Future<Output = Result<T, ApiError>> + Send + 'static,
    {
        let slot = Arc::new(Mutex::new(None));
        let result = slot.clone();
        let ctx = self.ctx.clone();
        self.runtime.spawn(async move {
            let value = future.await;
            *result.lock().expect("promise lock") = Some(value);
            ctx.request_repaint();
        });
        Promise {
            take: Box::new(move || slot.lock().expect("promise lock").take()),
        }
    }
}

/// The result of a call, once it is there.
pub struct Promise<T> {
    take: Box<dyn FnMut() -> Option<Result<T, ApiError>> + Send>,
}

impl<T: Send + 'static> Promise<T> {
    /// Takes the result if the call has finished.
    pub fn try_take(&mut self) -> Option<Result<T, ApiError>> {
        (self.take)()
    }

    /// The same call, its value passed through `f` (e.g. one field of a response).
    pub fn map<U>(mut self, f: impl FnOnce(T) -> U + Send + 'static) -> Promise<U> {
        let mut f = Some(f);
        Promise {
            take: Box::new(move || {
                let result = self.try_take()?;
                let f = f.take().expect("a promise is taken once");
                Some(result.map(f))
            }),
        }
    }
}

/// A value fetched from the server, as a state rather than a flag.
#[derive(Default)]
pub enum Requested<T> {
    /// Not asked for yet.
    #[default]
    NotRequested,
    /// Asked for; `previous` is shown meanwhile so tables do not flicker.
    Pending {
        /// The value of the last successful call.
        previous: Option<T>,
        /// The call in flight.
        promise: Promise<T>,
    },
    /// The last call's value.
    Done(T),
    /// The last call failed; the previous value is kept to show under the error.
    Failed {
        /// Why.
        error: ApiError,
        /// The value of the last successful call.
        previous: Option<T>,
    },
}

impl<T> Requested<T> {
    /// Starts a new call, keeping what is shown now.
    pub fn request(&mut self, promise: Promise<T>) {
        let previous = self.take_value();
        *self = Requested::Pending { previous, promise };
    }

    fn take_value(&mut self) -> Option<T> {
        match std::mem::take(self) {
            Requested::NotRequested => None,
            Requested::Pending { previous, .. } | Requested::Failed { previous, .. } => previous,
            Requested::Done(value) => Some(value),
        }
    }

    /// The value to show: the current one, or the previous while pending or failed.
    pub fn value(&self) -> Option<&T> {
        match self {
            Requested::NotRequested => None,
            Requested::Pending { previous, .. } | Requested::Failed { previous, .. } => {
                previous.as_ref()
            }
            Requested::Done(value) => Some(value),
        }
    }

    /// Whether a call is in flight.
    pub fn is_pending(&self) -> bool {
        matches!(self, Requested::Pending { .. })
    }

    /// The last call's error, if it failed.
    pub fn error(&self) -> Option<&ApiError> {
        match self {
            Requested::Failed { error, .. } => Some(error),
            _ => None,
        }
    }

    /// Whether nothing was asked for yet.
    pub fn is_not_requested(&self) -> bool {
        matches!(self, Requested::NotRequested)
    }
}

impl<T: Send + 'static> Requested<T> {
    /// Moves a finished call into `Done` or `Failed`. Returns the error when it just failed,
    /// and whether it just finished.
    pub fn poll(&mut self) -> Polled<'_> {
        if let Requested::Pending { promise, .. } = self
            && let Some(result) = promise.try_take()
        {
            let previous = self.take_value();
            return match result {
                Ok(value) => {
                    *self = Requested::Done(value);
                    Polled::JustDone
                }
                Err(error) => {
                    *self = Requested::Failed { error, previous };
                    match self {
                        Requested::Failed { error, .. } => Polled::JustFailed(error),
                        _ => unreachable!(),
                    }
                }
            };
        }
        Polled::Unchanged
    }
}

/// What [`Requested::poll`] found.
pub enum Polled<'a> {
    /// Nothing new.
    Unchanged,
    /// The call finished with a value.
    JustDone,
    /// The call failed.
    JustFailed(&'a ApiError),
}
