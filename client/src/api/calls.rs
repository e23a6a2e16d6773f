//! The macro behind the typed calls.

/// Declares the typed calls of one service: a struct borrowing the [`crate::ctx::AppCtx`],
/// with one method per RPC that runs it off the UI thread and returns a
/// [`crate::backend::Promise`] of its response. `AppCtx::<accessor>()` returns the struct.
macro_rules! calls {
    (
        $(#[$doc:meta])*
        $calls:ident = $accessor:ident via $client:ident {
            $( $(#[$mdoc:meta])* fn $method:ident($req:ty) -> $resp:ty; )*
        }
    ) => {
        $(#[$doc])*
        pub struct $calls<'a>(&'a $crate::ctx::AppCtx);

        impl $calls<'_> {
            $(
                $(#[$mdoc])*
                pub fn $method(&self, request: $req) -> $crate::backend::Promise<$resp> {
                    self.0.call(move |api| async move {
                        Ok(api.$client().$method(request).await?.into_inner())
                    })
                }
            )*
        }

        impl $crate::ctx::AppCtx {
            $(#[$doc])*
            pub fn $accessor(&self) -> $calls<'_> {
                $calls(self)
            }
        }
    };
}
