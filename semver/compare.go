package semver

import "strings"

// Compare returns -1, 0 or +1 as v has lower, equal or higher SemVer 2.0.0 precedence
// than o. Build metadata is ignored, so v1.0.0+a and v1.0.0+b compare equal although
// they are different versions (their String() differs).
//
// Major, minor and patch compare numerically. A version with a pre-release is lower
// than the same version without one. Pre-release identifiers compare left to right:
// numeric ones numerically, alphanumeric ones in ASCII order, numeric lower than
// alphanumeric; when all shared identifiers are equal, the longer list is higher.
func (v Version) Compare(o Version) int {
	if c := compareNumbers(v.major, o.major); c != 0 {
		return c
	}
	if c := compareNumbers(v.minor, o.minor); c != 0 {
		return c
	}
	if c := compareNumbers(v.patch, o.patch); c != 0 {
		return c
	}
	return comparePrerelease(v.pre, o.pre)
}

// compareNumbers orders two decimal digit strings without leading zeros: the longer
// one is larger, equal lengths compare lexically. This works for any magnitude.
func compareNumbers(a, b string) int {
	if len(a) != len(b) {
		if len(a) < len(b) {
			return -1
		}
		return 1
	}
	return strings.Compare(a, b)
}

// comparePrerelease orders two pre-release strings ("" = none) by SemVer rules,
// walking the identifiers in place so that comparing never allocates.
func comparePrerelease(a, b string) int {
	if a == b {
		return 0
	}
	if a == "" {
		return 1 // a release outranks any of its pre-releases
	}
	if b == "" {
		return -1
	}
	for {
		ai, arest, amore := strings.Cut(a, ".")
		bi, brest, bmore := strings.Cut(b, ".")
		if c := compareIdentifiers(ai, bi); c != 0 {
			return c
		}
		switch {
		case !amore && !bmore:
			return 0
		case !amore:
			return -1
		case !bmore:
			return 1
		}
		a, b = arest, brest
	}
}

// compareIdentifiers orders two pre-release identifiers.
func compareIdentifiers(a, b string) int {
	an, bn := isNumeric(a), isNumeric(b)
	switch {
	case an && bn:
		return compareNumbers(a, b)
	case an:
		return -1
	case bn:
		return 1
	}
	return strings.Compare(a, b)
}
