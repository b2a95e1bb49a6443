//! Types the stub packages, stub-only and generic bases, type aliases and numpydoc give, through
//! generated bindings on the real packages (tests/requirements.txt installs scipy-stubs,
//! scikit-learn-stubs and types-networkx).

mod common;

use snakebridge::{Value, python_module};

#[python_module("platform", include = ["uname", "uname_result"])]
mod platform {}

#[python_module("urllib.parse", include = ["urlparse", "ParseResult"])]
mod parse {}

#[python_module("sklearn.cluster", include = ["KMeans"])]
mod cluster {}

#[python_module("scipy.optimize", include = ["minimize", "brentq"])]
mod optimize {}

#[python_module("networkx", include = ["shortest_path", "path_graph", "Graph"])]
mod nx {}

#[python_module("scipy.integrate", include = ["quad"])]
mod integrate {}

#[python_module("functools", include = ["reduce"])]
mod functools {}

/// A bound of a root search: converts into `f64` and nothing else.
struct Bound(f64);

impl From<Bound> for f64 {
    fn from(b: Bound) -> f64 {
        b.0
    }
}

/// networkx's shortest-path method name: converts into `String` and nothing else.
struct Dijkstra;

impl From<Dijkstra> for String {
    fn from(_: Dijkstra) -> String {
        "dijkstra".into()
    }
}

#[test]
fn uname_fields_declared_on_a_stub_only_base_are_strings() {
    // typeshed declares the fields on `_uname_result_base`, a name the runtime class lacks.
    let u = platform::uname().call().unwrap();
    let system: String = u.system().unwrap();
    assert_eq!(
        system,
        std::env::consts::OS
            .replace("linux", "Linux")
            .replace("macos", "Darwin")
    );
    let machine: String = u.machine().unwrap();
    assert!(!machine.is_empty());
}

#[test]
fn urlparse_fields_through_a_substituted_generic_base_are_strings() {
    let r: parse::ParseResult = parse::urlparse("https://example.com/a;p?q=1#f")
        .call()
        .unwrap();
    let (netloc, params, fragment): (String, String, String) = (
        r.netloc().unwrap(),
        r.params().unwrap(),
        r.fragment().unwrap(),
    );
    assert_eq!(
        (netloc.as_str(), params.as_str(), fragment.as_str()),
        ("example.com", "p", "f")
    );
}

#[test]
fn kmeans_takes_an_i64_and_fits() {
    // `n_clusters: Int` in scikit-learn-stubs: an `i64` (a `&str` does not compile, tests/ui).
    let model = cluster::KMeans::new()
        .n_clusters(2_i64)
        .random_state(0_i64)
        .n_init(1_i64)
        .call()
        .unwrap();
    let x = vec![
        vec![0.0, 0.0],
        vec![0.1, 0.0],
        vec![10.0, 10.0],
        vec![10.1, 10.0],
    ];
    // `fit -> Self` in the stubs: the fitted estimator, typed.
    let fitted: cluster::KMeans = model.fit(x).call().unwrap();
    // `labels_: ndarray` in the stubs; numpy is not bound here, so it comes as a reference to
    // the array, read as an `NdArray`.
    let labels: Vec<i32> = match fitted.labels_().unwrap() {
        Value::Ref(r) => r
            .to_array::<i32, snakebridge::ndarray::Ix1>()
            .unwrap()
            .to_vec(),
        other => panic!("labels_ is not an array: {other:?}"),
    };
    assert_eq!(labels.len(), 4);
    assert_eq!(labels[0], labels[1]);
    assert_ne!(labels[0], labels[2]);
}

#[test]
fn scipy_brentq_takes_floats_through_optype_aliases() {
    // `a: onp.ToFloat`, an optype alias (`float | floating_co`), maps like the float it names.
    // `f: Callable[Concatenate[float, ...], float]`: a closure over any arguments that returns
    // an `f64` (`impl IntoPyFn<fn(AnyArgs) -> f64>`).
    let cos = |args: snakebridge::AnyArgs| Ok(args.get::<f64>(0)?.cos());
    // The result is a float or, with `full_output=True`, a tuple (two overloads): a `Value`.
    // `Bound` converts only `Into<f64>`, not `IntoValue`: this compiles only because the bounds
    // are typed `f64`.
    let root: f64 = optimize::brentq(cos, Bound(0.0), Bound(2.0))
        .call_as()
        .unwrap();
    assert!((root - std::f64::consts::FRAC_PI_2).abs() < 1e-9);
}

#[test]
fn networkx_shortest_path_typed_from_types_networkx() {
    // `G: Graph[_Node]` is the bound class, `method: str | None` a `String` (`Dijkstra` converts
    // only `Into<String>`, not `IntoValue`: this compiles only because the stub types it).
    let g: nx::Graph = nx::path_graph(4_i64).call_as().unwrap();
    let path: Vec<i64> = nx::shortest_path(&g)
        .source(0_i64)
        .target(3_i64)
        .method(Dijkstra)
        .call_as()
        .unwrap();
    assert_eq!(path, vec![0, 1, 2, 3]);
}

#[test]
fn scipy_minimize_takes_typed_array_data_for_x0() {
    // `x0: onp.ToFloat | onp.ToFloat1D` in scipy-stubs: numeric array data (`impl ArrayArg`: a
    // `Vec<f64>` or a number; a `&str` does not compile, tests/ui/minimize_x0_str.rs).
    let rosen: Value = snakebridge::module_attr("scipy.optimize", "rosen").unwrap();
    let result = optimize::minimize(rosen, vec![1.3, 0.7, 0.8])
        .method("BFGS")
        .call()
        .unwrap();
    let Value::Ref(result) = result else {
        panic!("minimize returns an OptimizeResult: {result:?}");
    };
    let x: Vec<f64> = result.getattr("x").unwrap();
    assert_eq!(x.len(), 3);
    for xi in x {
        assert!((xi - 1.0).abs() < 1e-4, "rosen's minimum is at 1: {xi}");
    }
}

#[test]
fn scipy_quad_takes_a_rust_closure_typed_by_the_stubs() {
    // `func: Callable[[float], _FloatLike]` in scipy-stubs (the first overload's): the parameter
    // is `impl IntoPyFn<fn(f64) -> f64>`, so the closure's argument needs no annotation (it is
    // inferred from the stubs), and another arity or argument type does not compile
    // (tests/ui/quad_closure_arity.rs).
    let (value, error): (f64, f64) = integrate::quad(|x| Ok(x * x), 0.0, 1.0).call_as().unwrap();
    assert!((value - 1.0 / 3.0).abs() < 1e-12, "{value}");
    assert!(error < 1e-10, "{error}");
}

#[test]
fn functools_reduce_takes_a_two_argument_closure_from_typeshed() {
    // `function: Callable[[_T, _S], _T]` in typeshed: two arguments (unconstrained type
    // variables, so `Value`s), the closure's arity checked by rustc.
    let product: i64 = functools::reduce(
        |a: Value, b: Value| Ok(Value::Int(a.extract::<i64>()? * b.extract::<i64>()?)),
        vec![1, 2, 3, 4],
    )
    .call_as()
    .unwrap();
    assert_eq!(product, 24);
}

#[test]
fn scipy_quad_takes_a_python_function_where_the_stubs_type_a_callable() {
    // A Python callable held in a `PyRef` fits the typed `Callable[[float], float]` parameter
    // too, and goes to Python as itself: quad integrates `math.sin` over [0, pi] to 2.
    let sin: snakebridge::PyRef = snakebridge::module_attr("math", "sin").unwrap();
    let pi: f64 = snakebridge::module_attr("math", "pi").unwrap();
    let (value, _): (f64, f64) = integrate::quad(sin, 0.0, pi).call_as().unwrap();
    assert!((value - 2.0).abs() < 1e-10, "{value}");
}
