// A zero-copy view of a numpy array borrows the ref that keeps the array alive: it cannot
// outlive it.
use snakebridge::{PyRef, call};

fn main() -> Result<(), snakebridge::Error> {
    let view = {
        let squares: PyRef = call("numpy", "arange", (4.0,))?;
        squares.array_view::<f64>()?
    };
    println!("{}", view[1]);
    Ok(())
}
