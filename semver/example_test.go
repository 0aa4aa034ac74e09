package semver_test

import (
	"fmt"

	"github.com/gto-dev/gto/semver"
)

func ExampleVersion_Compare() {
	a, b := semver.MustParse("v0.1.9"), semver.MustParse("v0.1.10")
	fmt.Println(a.Compare(b), semver.MustParse("v1.0.0-rc.1").Compare(semver.MustParse("v1.0.0")))
	// Output: -1 -1
}

func ExampleVersion_BumpPatch() {
	fmt.Println(semver.MustParse("v1.0.0-rc.1").BumpPatch(), semver.MustParse("v1.2.9").BumpMinor())
	// Output: v1.0.1 v1.3.0
}
