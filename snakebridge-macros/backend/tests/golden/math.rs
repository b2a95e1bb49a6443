pub mod math {
    /*!This module provides access to the mathematical functions defined by the C standard.

Python: `math`*/
    #![allow(
        non_camel_case_types,
        non_snake_case,
        non_upper_case_globals,
        missing_docs,
        unused_qualifications,
        unreachable_pub,
        dead_code,
        clippy::all,
        clippy::pedantic,
        clippy::nursery,
        rustdoc::broken_intra_doc_links,
        rustdoc::bare_urls,
        rustdoc::invalid_html_tags,
        rustdoc::invalid_rust_codeblocks
    )]
    #[allow(unused_imports)]
    mod __sb {
        pub use ::snakebridge::__private::*;
        pub use ::core::primitive::{bool, f64, i64, str, u8};
        pub use ::std::{
            collections::HashMap, convert::Into, include_bytes, iter::IntoIterator,
            option::Option, string::String, vec, vec::Vec,
        };
        /// Converts a parameter into a `Value` (shorter than the trait path).
        #[inline]
        pub fn v(value: impl IntoValue) -> Value {
            IntoValue::into_value(value)
        }
    }
    /**Return the arc cosine (measured in radians) of x.

Python: `math.acos(x: _SupportsFloatOrIndex, /) -> float` (signature from typeshed)

The result is between 0 and pi.*/
    pub fn acos(
        x: impl __sb::Into<__sb::f64>,
    ) -> __sb::SiteCall<(__sb::f64,), __sb::f64> {
        static SITE: __sb::CallSite = __sb::CallSite::new("math", "acos");
        __sb::SiteCall::new(&SITE, (x.into(),))
    }
    /**Return the inverse hyperbolic cosine of x.

Python: `math.acosh(x: _SupportsFloatOrIndex, /) -> float` (signature from typeshed)*/
    pub fn acosh(
        x: impl __sb::Into<__sb::f64>,
    ) -> __sb::SiteCall<(__sb::f64,), __sb::f64> {
        static SITE: __sb::CallSite = __sb::CallSite::new("math", "acosh");
        __sb::SiteCall::new(&SITE, (x.into(),))
    }
    /**Return the arc sine (measured in radians) of x.

Python: `math.asin(x: _SupportsFloatOrIndex, /) -> float` (signature from typeshed)

The result is between -pi/2 and pi/2.*/
    pub fn asin(
        x: impl __sb::Into<__sb::f64>,
    ) -> __sb::SiteCall<(__sb::f64,), __sb::f64> {
        static SITE: __sb::CallSite = __sb::CallSite::new("math", "asin");
        __sb::SiteCall::new(&SITE, (x.into(),))
    }
    /**Return the inverse hyperbolic sine of x.

Python: `math.asinh(x: _SupportsFloatOrIndex, /) -> float` (signature from typeshed)*/
    pub fn asinh(
        x: impl __sb::Into<__sb::f64>,
    ) -> __sb::SiteCall<(__sb::f64,), __sb::f64> {
        static SITE: __sb::CallSite = __sb::CallSite::new("math", "asinh");
        __sb::SiteCall::new(&SITE, (x.into(),))
    }
    /**Return the arc tangent (measured in radians) of x.

Python: `math.atan(x: _SupportsFloatOrIndex, /) -> float` (signature from typeshed)

The result is between -pi/2 and pi/2.*/
    pub fn atan(
        x: impl __sb::Into<__sb::f64>,
    ) -> __sb::SiteCall<(__sb::f64,), __sb::f64> {
        static SITE: __sb::CallSite = __sb::CallSite::new("math", "atan");
        __sb::SiteCall::new(&SITE, (x.into(),))
    }
    /**Return the arc tangent (measured in radians) of y/x.

Python: `math.atan2(y: _SupportsFloatOrIndex, x: _SupportsFloatOrIndex, /) -> float` (signature from typeshed)

Unlike atan(y/x), the signs of both x and y are considered.*/
    pub fn atan2(
        y: impl __sb::Into<__sb::f64>,
        x: impl __sb::Into<__sb::f64>,
    ) -> __sb::SiteCall<(__sb::f64, __sb::f64), __sb::f64> {
        static SITE: __sb::CallSite = __sb::CallSite::new("math", "atan2");
        __sb::SiteCall::new(&SITE, (y.into(), x.into()))
    }
    /**Return the inverse hyperbolic tangent of x.

Python: `math.atanh(x: _SupportsFloatOrIndex, /) -> float` (signature from typeshed)*/
    pub fn atanh(
        x: impl __sb::Into<__sb::f64>,
    ) -> __sb::SiteCall<(__sb::f64,), __sb::f64> {
        static SITE: __sb::CallSite = __sb::CallSite::new("math", "atanh");
        __sb::SiteCall::new(&SITE, (x.into(),))
    }
    /**Return the cube root of x.

Python: `math.cbrt(x: _SupportsFloatOrIndex, /) -> float` (signature from typeshed)*/
    pub fn cbrt(
        x: impl __sb::Into<__sb::f64>,
    ) -> __sb::SiteCall<(__sb::f64,), __sb::f64> {
        static SITE: __sb::CallSite = __sb::CallSite::new("math", "cbrt");
        __sb::SiteCall::new(&SITE, (x.into(),))
    }
    /**Return the ceiling of x as an Integral.

Python overloads (signature from typeshed):

- `math.ceil(x: _SupportsCeil[_T], /) -> _T`
- `math.ceil(x: _SupportsFloatOrIndex, /) -> int`

This is the smallest integer \>= x.*/
    pub fn ceil(x: impl __sb::IntoValue) -> __sb::Call<__sb::Value> {
        static SITE: __sb::CallSite = __sb::CallSite::new("math", "ceil");
        __sb::Call::at(&SITE, (x,))
    }
    /**Number of ways to choose k items from n items without repetition and without order.

Python: `math.comb(n: SupportsIndex, k: SupportsIndex, /) -> int` (signature from typeshed)

Evaluates to n\! / (k\! \* (n - k)\!) when k \<= n and evaluates
to zero when k \> n.

Also called the binomial coefficient because it is equivalent
to the coefficient of k-th term in polynomial expansion of the
expression (1 + x)\*\*n.

Raises TypeError if either of the arguments are not integers.
Raises ValueError if either of the arguments are negative.*/
    pub fn comb(
        n: impl __sb::Into<__sb::i64>,
        k: impl __sb::Into<__sb::i64>,
    ) -> __sb::SiteCall<(__sb::i64, __sb::i64), __sb::i64> {
        static SITE: __sb::CallSite = __sb::CallSite::new("math", "comb");
        __sb::SiteCall::new(&SITE, (n.into(), k.into()))
    }
    /**Return a float with the magnitude (absolute value) of x but the sign of y.

Python: `math.copysign(x: _SupportsFloatOrIndex, y: _SupportsFloatOrIndex, /) -> float` (signature from typeshed)

On platforms that support signed zeros, copysign(1.0, -0.0)
returns -1.0.*/
    pub fn copysign(
        x: impl __sb::Into<__sb::f64>,
        y: impl __sb::Into<__sb::f64>,
    ) -> __sb::SiteCall<(__sb::f64, __sb::f64), __sb::f64> {
        static SITE: __sb::CallSite = __sb::CallSite::new("math", "copysign");
        __sb::SiteCall::new(&SITE, (x.into(), y.into()))
    }
    /**Return the cosine of x (measured in radians).

Python: `math.cos(x: _SupportsFloatOrIndex, /) -> float` (signature from typeshed)*/
    pub fn cos(
        x: impl __sb::Into<__sb::f64>,
    ) -> __sb::SiteCall<(__sb::f64,), __sb::f64> {
        static SITE: __sb::CallSite = __sb::CallSite::new("math", "cos");
        __sb::SiteCall::new(&SITE, (x.into(),))
    }
    /**Return the hyperbolic cosine of x.

Python: `math.cosh(x: _SupportsFloatOrIndex, /) -> float` (signature from typeshed)*/
    pub fn cosh(
        x: impl __sb::Into<__sb::f64>,
    ) -> __sb::SiteCall<(__sb::f64,), __sb::f64> {
        static SITE: __sb::CallSite = __sb::CallSite::new("math", "cosh");
        __sb::SiteCall::new(&SITE, (x.into(),))
    }
    /**Convert angle x from radians to degrees.

Python: `math.degrees(x: _SupportsFloatOrIndex, /) -> float` (signature from typeshed)*/
    pub fn degrees(
        x: impl __sb::Into<__sb::f64>,
    ) -> __sb::SiteCall<(__sb::f64,), __sb::f64> {
        static SITE: __sb::CallSite = __sb::CallSite::new("math", "degrees");
        __sb::SiteCall::new(&SITE, (x.into(),))
    }
    /**Return the Euclidean distance between two points p and q.

Python: `math.dist(p: Iterable[_SupportsFloatOrIndex], q: Iterable[_SupportsFloatOrIndex], /) -> float` (signature from typeshed)

The points should be specified as sequences (or iterables) of
coordinates.  Both inputs must have the same dimension.

Roughly equivalent to:
sqrt(sum((px - qx) \*\* 2.0 for px, qx in zip(p, q)))*/
    pub fn dist(
        p: impl __sb::ListArg<__sb::f64>,
        q: impl __sb::ListArg<__sb::f64>,
    ) -> __sb::Call<__sb::f64> {
        static SITE: __sb::CallSite = __sb::CallSite::new("math", "dist");
        __sb::Call::at(&SITE, (__sb::ListArg::into_list(p), __sb::ListArg::into_list(q)))
    }
    /**Error function at x.

Python: `math.erf(x: _SupportsFloatOrIndex, /) -> float` (signature from typeshed)*/
    pub fn erf(
        x: impl __sb::Into<__sb::f64>,
    ) -> __sb::SiteCall<(__sb::f64,), __sb::f64> {
        static SITE: __sb::CallSite = __sb::CallSite::new("math", "erf");
        __sb::SiteCall::new(&SITE, (x.into(),))
    }
    /**Complementary error function at x.

Python: `math.erfc(x: _SupportsFloatOrIndex, /) -> float` (signature from typeshed)*/
    pub fn erfc(
        x: impl __sb::Into<__sb::f64>,
    ) -> __sb::SiteCall<(__sb::f64,), __sb::f64> {
        static SITE: __sb::CallSite = __sb::CallSite::new("math", "erfc");
        __sb::SiteCall::new(&SITE, (x.into(),))
    }
    /**Return e raised to the power of x.

Python: `math.exp(x: _SupportsFloatOrIndex, /) -> float` (signature from typeshed)*/
    pub fn exp(
        x: impl __sb::Into<__sb::f64>,
    ) -> __sb::SiteCall<(__sb::f64,), __sb::f64> {
        static SITE: __sb::CallSite = __sb::CallSite::new("math", "exp");
        __sb::SiteCall::new(&SITE, (x.into(),))
    }
    /**Return 2 raised to the power of x.

Python: `math.exp2(x: _SupportsFloatOrIndex, /) -> float` (signature from typeshed)*/
    pub fn exp2(
        x: impl __sb::Into<__sb::f64>,
    ) -> __sb::SiteCall<(__sb::f64,), __sb::f64> {
        static SITE: __sb::CallSite = __sb::CallSite::new("math", "exp2");
        __sb::SiteCall::new(&SITE, (x.into(),))
    }
    /**Return exp(x)-1.

Python: `math.expm1(x: _SupportsFloatOrIndex, /) -> float` (signature from typeshed)

This function avoids the loss of precision involved in the direct evaluation of exp(x)-1 for small x.*/
    pub fn expm1(
        x: impl __sb::Into<__sb::f64>,
    ) -> __sb::SiteCall<(__sb::f64,), __sb::f64> {
        static SITE: __sb::CallSite = __sb::CallSite::new("math", "expm1");
        __sb::SiteCall::new(&SITE, (x.into(),))
    }
    /**Return the absolute value of the float x.

Python: `math.fabs(x: _SupportsFloatOrIndex, /) -> float` (signature from typeshed)*/
    pub fn fabs(
        x: impl __sb::Into<__sb::f64>,
    ) -> __sb::SiteCall<(__sb::f64,), __sb::f64> {
        static SITE: __sb::CallSite = __sb::CallSite::new("math", "fabs");
        __sb::SiteCall::new(&SITE, (x.into(),))
    }
    /**Find n\!.

Python: `math.factorial(x: SupportsIndex, /) -> int` (signature from typeshed)

Raise a ValueError if x is negative or non-integral.*/
    pub fn factorial(
        x: impl __sb::Into<__sb::i64>,
    ) -> __sb::SiteCall<(__sb::i64,), __sb::i64> {
        static SITE: __sb::CallSite = __sb::CallSite::new("math", "factorial");
        __sb::SiteCall::new(&SITE, (x.into(),))
    }
    /**Return the floor of x as an Integral.

Python overloads (signature from typeshed):

- `math.floor(x: _SupportsFloor[_T], /) -> _T`
- `math.floor(x: _SupportsFloatOrIndex, /) -> int`

This is the largest integer \<= x.*/
    pub fn floor(x: impl __sb::IntoValue) -> __sb::Call<__sb::Value> {
        static SITE: __sb::CallSite = __sb::CallSite::new("math", "floor");
        __sb::Call::at(&SITE, (x,))
    }
    /**Return fmod(x, y), according to platform C.

Python: `math.fmod(x: _SupportsFloatOrIndex, y: _SupportsFloatOrIndex, /) -> float` (signature from typeshed)

x % y may differ.*/
    pub fn fmod(
        x: impl __sb::Into<__sb::f64>,
        y: impl __sb::Into<__sb::f64>,
    ) -> __sb::SiteCall<(__sb::f64, __sb::f64), __sb::f64> {
        static SITE: __sb::CallSite = __sb::CallSite::new("math", "fmod");
        __sb::SiteCall::new(&SITE, (x.into(), y.into()))
    }
    /**Return the mantissa and exponent of x, as pair (m, e).

Python: `math.frexp(x: _SupportsFloatOrIndex, /) -> tuple[float, int]` (signature from typeshed)

m is a float and e is an int, such that x = m \* 2.\*\*e.
If x is 0, m and e are both 0.  Else 0.5 \<= abs(m) \< 1.0.*/
    pub fn frexp(
        x: impl __sb::Into<__sb::f64>,
    ) -> __sb::SiteCall<(__sb::f64,), (__sb::f64, __sb::i64)> {
        static SITE: __sb::CallSite = __sb::CallSite::new("math", "frexp");
        __sb::SiteCall::new(&SITE, (x.into(),))
    }
    /**Return an accurate floating point sum of values in the iterable seq.

Python: `math.fsum(seq: Iterable[_SupportsFloatOrIndex], /) -> float` (signature from typeshed)

Assumes IEEE-754 floating point arithmetic.*/
    pub fn fsum(seq: impl __sb::ListArg<__sb::f64>) -> __sb::Call<__sb::f64> {
        static SITE: __sb::CallSite = __sb::CallSite::new("math", "fsum");
        __sb::Call::at(&SITE, (__sb::ListArg::into_list(seq),))
    }
    /**Gamma function at x.

Python: `math.gamma(x: _SupportsFloatOrIndex, /) -> float` (signature from typeshed)*/
    pub fn gamma(
        x: impl __sb::Into<__sb::f64>,
    ) -> __sb::SiteCall<(__sb::f64,), __sb::f64> {
        static SITE: __sb::CallSite = __sb::CallSite::new("math", "gamma");
        __sb::SiteCall::new(&SITE, (x.into(),))
    }
    /**Greatest Common Divisor.

Python: `math.gcd(*integers: SupportsIndex) -> int` (signature from typeshed)

# Optional arguments

It returns a pending call: set any of these on it, then `.call()`.

| method | Rust type | Python default |
|---|---|---|
| `.args(..)` | `impl IntoValue`, each | `*args` |*/
    pub fn gcd() -> GcdCall {
        static SITE: __sb::CallSite = __sb::CallSite::new("math", "gcd");
        GcdCall(__sb::Call::at(&SITE, ()))
    }
    ///Pending call of `math.gcd`: set optional arguments by their Python names, then `.call()`.
    #[doc(hidden)]
    #[must_use = "a pending call does nothing until `.call()` or `.stream()`"]
    pub struct GcdCall(__sb::Call<__sb::i64>);
    __sb::__call_builder!(GcdCall => __sb::i64, args);
    impl GcdCall {}
    /**hypot(\*coordinates) -\> value

Python: `math.hypot(*coordinates: _SupportsFloatOrIndex) -> float` (signature from typeshed)

# Optional arguments

It returns a pending call: set any of these on it, then `.call()`.

| method | Rust type | Python default |
|---|---|---|
| `.args(..)` | `impl IntoValue`, each | `*args` |

Multidimensional Euclidean distance from the origin to a point.

Roughly equivalent to:
sqrt(sum(x\*\*2 for x in coordinates))

For a two dimensional point (x, y), gives the hypotenuse
using the Pythagorean theorem:  sqrt(x\*x + y\*y).

For example, the hypotenuse of a 3/4/5 right triangle is:

```python
>>> hypot(3.0, 4.0)
5.0
```*/
    pub fn hypot() -> HypotCall {
        static SITE: __sb::CallSite = __sb::CallSite::new("math", "hypot");
        HypotCall(__sb::Call::at(&SITE, ()))
    }
    ///Pending call of `math.hypot`: set optional arguments by their Python names, then `.call()`.
    #[doc(hidden)]
    #[must_use = "a pending call does nothing until `.call()` or `.stream()`"]
    pub struct HypotCall(__sb::Call<__sb::f64>);
    __sb::__call_builder!(HypotCall => __sb::f64, args);
    impl HypotCall {}
    /**Determine whether two floating point numbers are close in value.

Python: `math.isclose(a: _SupportsFloatOrIndex, b: _SupportsFloatOrIndex, *, rel_tol: _SupportsFloatOrIndex = 1e-09, abs_tol: _SupportsFloatOrIndex = 0.0) -> bool` (signature from typeshed)

# Optional arguments

It returns a pending call: set any of these on it, then `.call()`.

| method | Rust type | Python default |
|---|---|---|
| `.rel_tol(..)` | `impl Into<f64>` | `1e-09` |
| `.abs_tol(..)` | `impl Into<f64>` | `0.0` |

rel\_tol
maximum difference for being considered "close", relative to the
magnitude of the input values
abs\_tol
maximum difference for being considered "close", regardless of the
magnitude of the input values

Return True if a is close in value to b, and False otherwise.

For the values to be considered close, the difference between them
must be smaller than at least one of the tolerances.

\-inf, inf and NaN behave similarly to the IEEE 754 Standard.  That
is, NaN is not close to anything, even itself.  inf and -inf are
only close to themselves.*/
    pub fn isclose(
        a: impl __sb::Into<__sb::f64>,
        b: impl __sb::Into<__sb::f64>,
    ) -> IscloseCall {
        static SITE: __sb::CallSite = __sb::CallSite::new("math", "isclose");
        IscloseCall(__sb::Call::at(&SITE, (a.into(), b.into())))
    }
    ///Pending call of `math.isclose`: set optional arguments by their Python names, then `.call()`.
    #[doc(hidden)]
    #[must_use = "a pending call does nothing until `.call()` or `.stream()`"]
    pub struct IscloseCall(__sb::Call<__sb::bool>);
    __sb::__call_builder!(IscloseCall => __sb::bool);
    impl IscloseCall {
        ///Python argument `rel_tol` (default `1e-09`).
        pub fn rel_tol(self, rel_tol: impl __sb::Into<__sb::f64>) -> Self {
            Self(self.0.kwarg("rel_tol", rel_tol.into()))
        }
        ///Python argument `abs_tol` (default `0.0`).
        pub fn abs_tol(self, abs_tol: impl __sb::Into<__sb::f64>) -> Self {
            Self(self.0.kwarg("abs_tol", abs_tol.into()))
        }
    }
    /**Return True if x is neither an infinity nor a NaN, and False otherwise.

Python: `math.isfinite(x: _SupportsFloatOrIndex, /) -> bool` (signature from typeshed)*/
    pub fn isfinite(
        x: impl __sb::Into<__sb::f64>,
    ) -> __sb::SiteCall<(__sb::f64,), __sb::bool> {
        static SITE: __sb::CallSite = __sb::CallSite::new("math", "isfinite");
        __sb::SiteCall::new(&SITE, (x.into(),))
    }
    /**Return True if x is a positive or negative infinity, and False otherwise.

Python: `math.isinf(x: _SupportsFloatOrIndex, /) -> bool` (signature from typeshed)*/
    pub fn isinf(
        x: impl __sb::Into<__sb::f64>,
    ) -> __sb::SiteCall<(__sb::f64,), __sb::bool> {
        static SITE: __sb::CallSite = __sb::CallSite::new("math", "isinf");
        __sb::SiteCall::new(&SITE, (x.into(),))
    }
    /**Return True if x is a NaN (not a number), and False otherwise.

Python: `math.isnan(x: _SupportsFloatOrIndex, /) -> bool` (signature from typeshed)*/
    pub fn isnan(
        x: impl __sb::Into<__sb::f64>,
    ) -> __sb::SiteCall<(__sb::f64,), __sb::bool> {
        static SITE: __sb::CallSite = __sb::CallSite::new("math", "isnan");
        __sb::SiteCall::new(&SITE, (x.into(),))
    }
    /**Return the integer part of the square root of the input.

Python: `math.isqrt(n: SupportsIndex, /) -> int` (signature from typeshed)*/
    pub fn isqrt(
        n: impl __sb::Into<__sb::i64>,
    ) -> __sb::SiteCall<(__sb::i64,), __sb::i64> {
        static SITE: __sb::CallSite = __sb::CallSite::new("math", "isqrt");
        __sb::SiteCall::new(&SITE, (n.into(),))
    }
    /**Least Common Multiple.

Python: `math.lcm(*integers: SupportsIndex) -> int` (signature from typeshed)

# Optional arguments

It returns a pending call: set any of these on it, then `.call()`.

| method | Rust type | Python default |
|---|---|---|
| `.args(..)` | `impl IntoValue`, each | `*args` |*/
    pub fn lcm() -> LcmCall {
        static SITE: __sb::CallSite = __sb::CallSite::new("math", "lcm");
        LcmCall(__sb::Call::at(&SITE, ()))
    }
    ///Pending call of `math.lcm`: set optional arguments by their Python names, then `.call()`.
    #[doc(hidden)]
    #[must_use = "a pending call does nothing until `.call()` or `.stream()`"]
    pub struct LcmCall(__sb::Call<__sb::i64>);
    __sb::__call_builder!(LcmCall => __sb::i64, args);
    impl LcmCall {}
    /**Return x \* (2\*\*i).

Python: `math.ldexp(x: _SupportsFloatOrIndex, i: int, /) -> float` (signature from typeshed)

This is essentially the inverse of frexp().*/
    pub fn ldexp(
        x: impl __sb::Into<__sb::f64>,
        i: impl __sb::Into<__sb::i64>,
    ) -> __sb::SiteCall<(__sb::f64, __sb::i64), __sb::f64> {
        static SITE: __sb::CallSite = __sb::CallSite::new("math", "ldexp");
        __sb::SiteCall::new(&SITE, (x.into(), i.into()))
    }
    /**Natural logarithm of absolute value of Gamma function at x.

Python: `math.lgamma(x: _SupportsFloatOrIndex, /) -> float` (signature from typeshed)*/
    pub fn lgamma(
        x: impl __sb::Into<__sb::f64>,
    ) -> __sb::SiteCall<(__sb::f64,), __sb::f64> {
        static SITE: __sb::CallSite = __sb::CallSite::new("math", "lgamma");
        __sb::SiteCall::new(&SITE, (x.into(),))
    }
    /**log(x, \[base=math.e\]) Return the logarithm of x to the given base.

Python: `math.log(x: _SupportsFloatOrIndex, base: _SupportsFloatOrIndex = math.e, /) -> float` (signature from typeshed)

# Optional arguments

It returns a pending call: set any of these on it, then `.call()`.

| method | Rust type | Python default |
|---|---|---|
| `.base(..)` | `impl Into<f64>` | `math.e` (positional-only: set in order) |

If the base not specified, returns the natural logarithm (base e) of x.*/
    pub fn log(x: impl __sb::Into<__sb::f64>) -> LogCall {
        static SITE: __sb::CallSite = __sb::CallSite::new("math", "log");
        LogCall(__sb::Call::at(&SITE, (x.into(),)))
    }
    ///Pending call of `math.log`: set optional arguments by their Python names, then `.call()`.
    #[doc(hidden)]
    #[must_use = "a pending call does nothing until `.call()` or `.stream()`"]
    pub struct LogCall(__sb::Call<__sb::f64>);
    __sb::__call_builder!(LogCall => __sb::f64);
    impl LogCall {
        ///Python argument `base` (default `math.e`). Positional-only: it is appended to the positional arguments, so set such arguments in order.
        pub fn base(self, base: impl __sb::Into<__sb::f64>) -> Self {
            Self(self.0.positional(1usize, base.into()))
        }
    }
    /**Return the base 10 logarithm of x.

Python: `math.log10(x: _SupportsFloatOrIndex, /) -> float` (signature from typeshed)*/
    pub fn log10(
        x: impl __sb::Into<__sb::f64>,
    ) -> __sb::SiteCall<(__sb::f64,), __sb::f64> {
        static SITE: __sb::CallSite = __sb::CallSite::new("math", "log10");
        __sb::SiteCall::new(&SITE, (x.into(),))
    }
    /**Return the natural logarithm of 1+x (base e).

Python: `math.log1p(x: _SupportsFloatOrIndex, /) -> float` (signature from typeshed)

The result is computed in a way which is accurate for x near zero.*/
    pub fn log1p(
        x: impl __sb::Into<__sb::f64>,
    ) -> __sb::SiteCall<(__sb::f64,), __sb::f64> {
        static SITE: __sb::CallSite = __sb::CallSite::new("math", "log1p");
        __sb::SiteCall::new(&SITE, (x.into(),))
    }
    /**Return the base 2 logarithm of x.

Python: `math.log2(x: _SupportsFloatOrIndex, /) -> float` (signature from typeshed)*/
    pub fn log2(
        x: impl __sb::Into<__sb::f64>,
    ) -> __sb::SiteCall<(__sb::f64,), __sb::f64> {
        static SITE: __sb::CallSite = __sb::CallSite::new("math", "log2");
        __sb::SiteCall::new(&SITE, (x.into(),))
    }
    /**Return the fractional and integer parts of x.

Python: `math.modf(x: _SupportsFloatOrIndex, /) -> tuple[float, float]` (signature from typeshed)

Both results carry the sign of x and are floats.*/
    pub fn modf(
        x: impl __sb::Into<__sb::f64>,
    ) -> __sb::SiteCall<(__sb::f64,), (__sb::f64, __sb::f64)> {
        static SITE: __sb::CallSite = __sb::CallSite::new("math", "modf");
        __sb::SiteCall::new(&SITE, (x.into(),))
    }
    /**Return the next floating-point value after x towards y.

Python: `math.nextafter(x: _SupportsFloatOrIndex, y: _SupportsFloatOrIndex, /) -> float` (signature from typeshed)*/
    pub fn nextafter(
        x: impl __sb::Into<__sb::f64>,
        y: impl __sb::Into<__sb::f64>,
    ) -> __sb::SiteCall<(__sb::f64, __sb::f64), __sb::f64> {
        static SITE: __sb::CallSite = __sb::CallSite::new("math", "nextafter");
        __sb::SiteCall::new(&SITE, (x.into(), y.into()))
    }
    /**Number of ways to choose k items from n items without repetition and with order.

Python: `math.perm(n: SupportsIndex, k: SupportsIndex | None = None, /) -> int` (signature from typeshed)

# Optional arguments

It returns a pending call: set any of these on it, then `.call()`.

| method | Rust type | Python default |
|---|---|---|
| `.k(..)` | `impl Into<i64>` | `None` (positional-only: set in order) |

Evaluates to n\! / (n - k)\! when k \<= n and evaluates
to zero when k \> n.

If k is not specified or is None, then k defaults to n
and the function returns n\!.

Raises TypeError if either of the arguments are not integers.
Raises ValueError if either of the arguments are negative.*/
    pub fn perm(n: impl __sb::Into<__sb::i64>) -> PermCall {
        static SITE: __sb::CallSite = __sb::CallSite::new("math", "perm");
        PermCall(__sb::Call::at(&SITE, (n.into(),)))
    }
    ///Pending call of `math.perm`: set optional arguments by their Python names, then `.call()`.
    #[doc(hidden)]
    #[must_use = "a pending call does nothing until `.call()` or `.stream()`"]
    pub struct PermCall(__sb::Call<__sb::i64>);
    __sb::__call_builder!(PermCall => __sb::i64);
    impl PermCall {
        ///Python argument `k` (default `None`). Positional-only: it is appended to the positional arguments, so set such arguments in order.
        pub fn k(self, k: impl __sb::Into<__sb::i64>) -> Self {
            Self(self.0.positional(1usize, k.into()))
        }
    }
    /**Return x\*\*y (x to the power of y).

Python: `math.pow(x: _SupportsFloatOrIndex, y: _SupportsFloatOrIndex, /) -> float` (signature from typeshed)*/
    pub fn pow(
        x: impl __sb::Into<__sb::f64>,
        y: impl __sb::Into<__sb::f64>,
    ) -> __sb::SiteCall<(__sb::f64, __sb::f64), __sb::f64> {
        static SITE: __sb::CallSite = __sb::CallSite::new("math", "pow");
        __sb::SiteCall::new(&SITE, (x.into(), y.into()))
    }
    /**Calculate the product of all the elements in the input iterable.

Python overloads (signature from typeshed):

- `math.prod(iterable: Iterable[bool | _LiteralInteger], /, *, start: int = 1) -> int`
- `math.prod(iterable: Iterable[_SupportsProdNoDefaultT], /) -> _SupportsProdNoDefaultT | Literal[1]`
- `math.prod(iterable: Iterable[_MultiplicableT1], /, *, start: _MultiplicableT2) -> _MultiplicableT1 | _MultiplicableT2`

# Optional arguments

It returns a pending call: set any of these on it, then `.call()`.

| method | Rust type | Python default |
|---|---|---|
| `.start(..)` | `impl IntoValue` | (none: not every overload takes it) |

The default start value for the product is 1.

When the iterable is empty, return the start value.  This function is
intended specifically for use with numeric values and may reject
non-numeric types.*/
    pub fn prod(iterable: impl __sb::IntoValue) -> ProdCall {
        static SITE: __sb::CallSite = __sb::CallSite::new("math", "prod");
        ProdCall(__sb::Call::at(&SITE, (iterable,)))
    }
    ///Pending call of `math.prod`: set optional arguments by their Python names, then `.call()`.
    #[doc(hidden)]
    #[must_use = "a pending call does nothing until `.call()` or `.stream()`"]
    pub struct ProdCall(__sb::Call<__sb::Value>);
    __sb::__call_builder!(ProdCall => __sb::Value);
    impl ProdCall {
        ///Python argument `start`.
        pub fn start(self, start: impl __sb::IntoValue) -> Self {
            Self(self.0.kwarg("start", start))
        }
    }
    /**Convert angle x from degrees to radians.

Python: `math.radians(x: _SupportsFloatOrIndex, /) -> float` (signature from typeshed)*/
    pub fn radians(
        x: impl __sb::Into<__sb::f64>,
    ) -> __sb::SiteCall<(__sb::f64,), __sb::f64> {
        static SITE: __sb::CallSite = __sb::CallSite::new("math", "radians");
        __sb::SiteCall::new(&SITE, (x.into(),))
    }
    /**Difference between x and the closest integer multiple of y.

Python: `math.remainder(x: _SupportsFloatOrIndex, y: _SupportsFloatOrIndex, /) -> float` (signature from typeshed)

Return x - n\*y where n\*y is the closest integer multiple of y.
In the case where x is exactly halfway between two multiples of
y, the nearest even value of n is used. The result is always exact.*/
    pub fn remainder(
        x: impl __sb::Into<__sb::f64>,
        y: impl __sb::Into<__sb::f64>,
    ) -> __sb::SiteCall<(__sb::f64, __sb::f64), __sb::f64> {
        static SITE: __sb::CallSite = __sb::CallSite::new("math", "remainder");
        __sb::SiteCall::new(&SITE, (x.into(), y.into()))
    }
    /**Return the sine of x (measured in radians).

Python: `math.sin(x: _SupportsFloatOrIndex, /) -> float` (signature from typeshed)*/
    pub fn sin(
        x: impl __sb::Into<__sb::f64>,
    ) -> __sb::SiteCall<(__sb::f64,), __sb::f64> {
        static SITE: __sb::CallSite = __sb::CallSite::new("math", "sin");
        __sb::SiteCall::new(&SITE, (x.into(),))
    }
    /**Return the hyperbolic sine of x.

Python: `math.sinh(x: _SupportsFloatOrIndex, /) -> float` (signature from typeshed)*/
    pub fn sinh(
        x: impl __sb::Into<__sb::f64>,
    ) -> __sb::SiteCall<(__sb::f64,), __sb::f64> {
        static SITE: __sb::CallSite = __sb::CallSite::new("math", "sinh");
        __sb::SiteCall::new(&SITE, (x.into(),))
    }
    /**Return the square root of x.

Python: `math.sqrt(x: _SupportsFloatOrIndex, /) -> float` (signature from typeshed)*/
    pub fn sqrt(
        x: impl __sb::Into<__sb::f64>,
    ) -> __sb::SiteCall<(__sb::f64,), __sb::f64> {
        static SITE: __sb::CallSite = __sb::CallSite::new("math", "sqrt");
        __sb::SiteCall::new(&SITE, (x.into(),))
    }
    /**Return the tangent of x (measured in radians).

Python: `math.tan(x: _SupportsFloatOrIndex, /) -> float` (signature from typeshed)*/
    pub fn tan(
        x: impl __sb::Into<__sb::f64>,
    ) -> __sb::SiteCall<(__sb::f64,), __sb::f64> {
        static SITE: __sb::CallSite = __sb::CallSite::new("math", "tan");
        __sb::SiteCall::new(&SITE, (x.into(),))
    }
    /**Return the hyperbolic tangent of x.

Python: `math.tanh(x: _SupportsFloatOrIndex, /) -> float` (signature from typeshed)*/
    pub fn tanh(
        x: impl __sb::Into<__sb::f64>,
    ) -> __sb::SiteCall<(__sb::f64,), __sb::f64> {
        static SITE: __sb::CallSite = __sb::CallSite::new("math", "tanh");
        __sb::SiteCall::new(&SITE, (x.into(),))
    }
    /**Truncates the Real x to the nearest Integral toward 0.

Python: `math.trunc(x: _SupportsTrunc[_T], /) -> _T` (signature from typeshed)

Uses the \_\_trunc\_\_ magic method.*/
    pub fn trunc(x: impl __sb::IntoValue) -> __sb::Call<__sb::Value> {
        static SITE: __sb::CallSite = __sb::CallSite::new("math", "trunc");
        __sb::Call::at(&SITE, (x,))
    }
    /**Return the value of the least significant bit of the float x.

Python: `math.ulp(x: _SupportsFloatOrIndex, /) -> float` (signature from typeshed)*/
    pub fn ulp(
        x: impl __sb::Into<__sb::f64>,
    ) -> __sb::SiteCall<(__sb::f64,), __sb::f64> {
        static SITE: __sb::CallSite = __sb::CallSite::new("math", "ulp");
        __sb::SiteCall::new(&SITE, (x.into(),))
    }
    /**Python: `math.e`

Python type: `float`.*/
    pub const e: __sb::f64 = 2.718281828459045;
    /**Python: `math.inf`

Python type: `float`.*/
    pub const inf: __sb::f64 = __sb::f64::INFINITY;
    /**Python: `math.nan`

Python type: `float`.*/
    pub const nan: __sb::f64 = __sb::f64::NAN;
    /**Python: `math.pi`

Python type: `float`.*/
    pub const pi: __sb::f64 = 3.141592653589793;
    /**Python: `math.tau`

Python type: `float`.*/
    pub const tau: __sb::f64 = 6.283185307179586;
    ///`use` this module's `prelude::*` to call the members classes inherit from mixins (bases other than the first): it brings their traits into scope.
    pub mod prelude {}
}
