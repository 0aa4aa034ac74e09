package tagname_test

import (
	"fmt"

	"github.com/gto-dev/gto/tagname"
)

func ExampleParse() {
	t, ok := tagname.Parse("dir/sub=model#prod!#3")
	fmt.Println(ok, t.Artifact, t.Action, t.Stage, t.Counter, t.Cancels())
	_, ok = tagname.Parse("v1.0.0") // not a GTO tag: ignored by callers
	fmt.Println(ok)
	// Output:
	// true dir/sub:model unassign prod 3 true
	// false
}

func ExampleFormat() {
	name, err := tagname.Format(tagname.Tag{Artifact: "dir:model", Action: tagname.ActionRegister, Version: "v1.0.0"})
	fmt.Println(name, err)
	_, err = tagname.Format(tagname.Tag{Artifact: "a//b", Action: tagname.ActionDeprecate})
	fmt.Println(err)
	// Output:
	// dir=model@v1.0.0 <nil>
	// invalid artifact name "a//b": it contains "//", which git does not allow in tag names
}

func ExampleParseShortcut() {
	for _, s := range []string{"model", "model@latest", "model@v1.2.0", "model#prod", "model@v1"} {
		sc, err := tagname.ParseShortcut(s)
		fmt.Printf("%+v %v\n", sc, err)
	}
	// Output:
	// {Artifact:model Latest:false Greatest:false Version: Stage:} <nil>
	// {Artifact:model Latest:true Greatest:false Version: Stage:} <nil>
	// {Artifact:model Latest:false Greatest:false Version:v1.2.0 Stage:} <nil>
	// {Artifact:model Latest:false Greatest:false Version: Stage:prod} <nil>
	// {Artifact: Latest:false Greatest:false Version: Stage:} invalid version "v1": a version is "v" followed by a SemVer 2.0.0 string, e.g. v1.0.0
}
