// Instantiation, included by every contract's file (the generated types are
// distinct per version; this code is the same).

/// A fresh instance, its exports found by the indices `BatonModulePre::new`
/// looked up and type-checked once, when the module was loaded. The generated
/// `BatonModulePre::instantiate_async` type-checks all four exports again on
/// every call, though the component cannot have changed: ~6% of an `act`
/// (`perf` on `cargo bench --bench act`).
pub(crate) async fn instantiate<T: Send + 'static>(
    pre: &BatonModulePre<T>,
    store: &mut wasmtime::Store<T>,
) -> wasmtime::Result<BatonModule> {
    let instance = pre.instance_pre.instantiate_async(&mut *store).await?;
    let mut export = |index: &wasmtime::component::ComponentExportIndex| {
        instance
            .get_func(&mut *store, index)
            .ok_or_else(|| wasmtime::format_err!("the instance lacks an export its component has"))
    };
    Ok(BatonModule {
        describe: export(&pre.indices.describe)?,
        start: export(&pre.indices.start)?,
        act: export(&pre.indices.act)?,
        view: export(&pre.indices.view)?,
    })
}
