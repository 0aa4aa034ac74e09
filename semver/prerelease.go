package semver

// Prerelease returns the version's pre-release identifiers without the
// leading "-" ("rc.1" for v1.0.0-rc.1), "" for a release.
func (v Version) Prerelease() string { return v.pre }
