package semver

// The bumps follow python-semver 2.x, which GTO 0.2.4 uses: the chosen part is
// incremented, lower parts reset to 0, and pre-release and build metadata are always
// dropped. In particular BumpPatch of v1.0.0-rc.1 is v1.0.1, not v1.0.0 (SemVer itself
// would allow either; GTO's auto-increment relies on this behaviour).
//
// The zero Version bumps as v0.0.0, so Version{}.BumpPatch() is Minimal().

// v000 stands in for the zero Version in bumps.
var v000 = MustParse("v0.0.0")

// BumpMajor returns v(major+1).0.0, e.g. v1.2.3-rc.1+b gives v2.0.0.
func (v Version) BumpMajor() Version {
	if v.IsZero() {
		v = v000
	}
	return MustParse("v" + increment(v.major) + ".0.0")
}

// BumpMinor returns vmajor.(minor+1).0, e.g. v1.2.3-rc.1 gives v1.3.0.
func (v Version) BumpMinor() Version {
	if v.IsZero() {
		v = v000
	}
	return MustParse("v" + v.major + "." + increment(v.minor) + ".0")
}

// BumpPatch returns vmajor.minor.(patch+1), e.g. v1.2.3 gives v1.2.4 and v1.0.0-rc.1
// gives v1.0.1.
func (v Version) BumpPatch() Version {
	if v.IsZero() {
		v = v000
	}
	return MustParse("v" + v.major + "." + v.minor + "." + increment(v.patch))
}

// increment adds one to a non-empty decimal digit string of any length.
func increment(d string) string {
	b := []byte(d)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < '9' {
			b[i]++
			return string(b)
		}
		b[i] = '0'
	}
	return "1" + string(b)
}
