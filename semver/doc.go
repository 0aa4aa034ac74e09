// Package semver parses and orders GTO versions: the letter "v" followed by a strict
// SemVer 2.0.0 string (https://semver.org), e.g. v1.2.3, v1.2.3-rc.1, v1.2.3+build.5.
//
// The grammar is exactly the one GTO (and python-semver 2.x, which it uses) accepts:
// the "v" is lower-case and mandatory, major, minor and patch have no leading zeros,
// numeric pre-release identifiers have no leading zeros, and no identifier is empty.
// Only ASCII letters and digits are accepted.
//
// Numeric parts are kept as decimal digit strings, never converted to machine
// integers: GTO's reference implementation uses unbounded Python integers, so a version
// such as v99999999999999999999.0.0 is valid and must order and bump correctly.
package semver
