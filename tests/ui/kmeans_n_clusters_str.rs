// scikit-learn-stubs declare `KMeans(n_clusters: Int = 8, ...)`: the setter takes an `i64`, so a
// string is a compile error, not a TypeError at run time.
#[snakebridge::python_module("sklearn.cluster", include = ["KMeans"])]
mod cluster {}

fn main() {
    let _ = cluster::KMeans::new().n_clusters("x");
}
