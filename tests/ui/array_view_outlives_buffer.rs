// A view of an NdArray borrows its buffer: dropping the array while the view lives is refused.
use snakebridge::NdArray;

fn main() -> Result<(), snakebridge::Error> {
    let buffer = NdArray::from_vec(vec![1.0f64, 2.0, 3.0]);
    let view = buffer.view::<f64>()?;
    drop(buffer);
    println!("{}", view[0]);
    Ok(())
}
