//! The stub packages that type popular libraries which ship no types of their own (PEP 561
//! `-stubs` packages and typeshed's `types-*`), for `doctor`'s advice: with one installed the
//! introspector reads its `.pyi` signatures and far fewer parameters end up as `Value`.

/// `(top-level module, the PyPI package that types it)`.
const KNOWN: &[(&str, &str)] = &[
    ("scipy", "scipy-stubs"),
    ("pandas", "pandas-stubs"),
    ("networkx", "types-networkx"),
    ("sklearn", "scikit-learn-stubs"),
    ("requests", "types-requests"),
    ("yaml", "types-pyyaml"),
    ("dateutil", "types-python-dateutil"),
    ("pytz", "types-pytz"),
    ("six", "types-six"),
    ("tqdm", "types-tqdm"),
    ("psutil", "types-psutil"),
    ("tabulate", "types-tabulate"),
    ("toml", "types-toml"),
    ("simplejson", "types-simplejson"),
    ("ujson", "types-ujson"),
    ("regex", "types-regex"),
    ("redis", "types-redis"),
    ("paramiko", "types-paramiko"),
    ("pexpect", "types-pexpect"),
    ("docutils", "types-docutils"),
    ("pygments", "types-pygments"),
    ("setuptools", "types-setuptools"),
    ("markdown", "types-markdown"),
    ("jsonschema", "types-jsonschema"),
    ("openpyxl", "types-openpyxl"),
    ("cachetools", "types-cachetools"),
    ("colorama", "types-colorama"),
    ("seaborn", "types-seaborn"),
    ("shapely", "types-shapely"),
    ("tensorflow", "types-tensorflow"),
    ("boto3", "boto3-stubs"),
    ("lxml", "lxml-stubs"),
    ("bs4", "types-beautifulsoup4"),
    ("html5lib", "types-html5lib"),
    ("serial", "types-pyserial"),
    ("peewee", "types-peewee"),
    ("xmltodict", "types-xmltodict"),
    ("mock", "types-mock"),
];

/// The package that would type `top_level` (`scipy` → `scipy-stubs`), when one is known.
pub fn for_module(top_level: &str) -> Option<&'static str> {
    KNOWN
        .iter()
        .find(|(module, _)| *module == top_level)
        .map(|(_, package)| *package)
}
