//! User code that breaks `datetime` or patches builtins does not turn conversions into Rust
//! panics: values keep converting, and what fails is an `Error`. (Its own process: the damage
//! is process-wide.)

#![cfg(feature = "embedded")]

use snakebridge_runtime::{Date, DateTime, Time, Value, call, module_attr};

#[test]
fn conversions_survive_a_broken_datetime_module_and_patched_builtins() {
    // Before anything else in this process touches datetime from Rust: make one, then break
    // the module and the builtins conversions might lean on.
    let code = "import datetime as d, sys, builtins\n\
                builtins._sb_when = d.datetime(2020, 1, 2, 3, 4, 5)\n\
                builtins._sb_day = d.date(2021, 6, 7)\n\
                sys.modules['datetime'] = None\n\
                builtins.len = None\n\
                builtins.isinstance = None\n";
    let _: Value = call("builtins", "exec", (code, Value::Dict(vec![]))).unwrap();

    let when: Value = module_attr("builtins", "_sb_when").unwrap();
    let Value::DateTime(DateTime { date, time }) = when else {
        panic!("{when:?}")
    };
    assert_eq!((date.year, date.month, date.day), (2020, 1, 2));
    assert_eq!((time.hour, time.minute, time.second), (3, 4, 5));
    let day: Date = module_attr("builtins", "_sb_day").unwrap();
    assert_eq!((day.year, day.month, day.day), (2021, 6, 7));

    // Rust datetimes still go to Python.
    let t = Time {
        hour: 1,
        minute: 2,
        second: 3,
        microsecond: 0,
        utc_offset: None,
    };
    let text: String = call("builtins", "str", (t,)).unwrap();
    assert_eq!(text, "01:02:03");
    // Ordinary calls and containers still convert.
    let v: Vec<i64> = call("builtins", "list", (vec![1, 2, 3],)).unwrap();
    assert_eq!(v, [1, 2, 3]);
    // What user code broke fails as a Python error, not a panic.
    let err = call::<Value>("builtins", "eval", ("len([1])", Value::Dict(vec![]))).unwrap_err();
    assert!(err.to_string().contains("TypeError"), "{err}");
}
