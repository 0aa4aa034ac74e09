package tagname

import (
	"testing"
)

func TestParseValid(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Tag
		// canonical is what Format writes back; "" means the input itself.
		canonical string
	}{
		// registrations and deregistrations
		{"model@v1.0.0", Tag{Artifact: "model", Action: ActionRegister, Version: "v1.0.0"}, ""},
		{"path@v1.2.3#5", Tag{Artifact: "path", Action: ActionRegister, Version: "v1.2.3", Counter: 5}, ""},
		{"model@v1.0.0!", Tag{Artifact: "model", Action: ActionDeregister, Version: "v1.0.0"}, ""},
		{"model@v0.0.1!#2", Tag{Artifact: "model", Action: ActionDeregister, Version: "v0.0.1", Counter: 2}, ""},
		{"nn@v1.0.0-rc.2", Tag{Artifact: "nn", Action: ActionRegister, Version: "v1.0.0-rc.2"}, ""},
		{"nn@v1.0.0-alpha.beta", Tag{Artifact: "nn", Action: ActionRegister, Version: "v1.0.0-alpha.beta"}, ""},
		{"m@v1.2.3+build.5", Tag{Artifact: "m", Action: ActionRegister, Version: "v1.2.3+build.5"}, ""},
		{"m@v1.2.3-rc.1+b.lock#1", Tag{Artifact: "m", Action: ActionRegister, Version: "v1.2.3-rc.1+b.lock", Counter: 1}, ""},
		{"m@v1.2.3-rc.1+b.lock!", Tag{Artifact: "m", Action: ActionDeregister, Version: "v1.2.3-rc.1+b.lock"}, ""},
		{"new-artifact@v1.0.1!", Tag{Artifact: "new-artifact", Action: ActionDeregister, Version: "v1.0.1"}, ""},
		{"m@v99999999999999999999.0.0", Tag{Artifact: "m", Action: ActionRegister, Version: "v99999999999999999999.0.0"}, ""},
		// assignments and unassignments
		{"model#prod", Tag{Artifact: "model", Action: ActionAssign, Stage: "prod"}, ""},
		{"model#prod#1", Tag{Artifact: "model", Action: ActionAssign, Stage: "prod", Counter: 1}, ""},
		{"model#prod!", Tag{Artifact: "model", Action: ActionUnassign, Stage: "prod"}, ""},
		{"model#prod!#2", Tag{Artifact: "model", Action: ActionUnassign, Stage: "prod", Counter: 2}, ""},
		{"model#1", Tag{Artifact: "model", Action: ActionAssign, Stage: "1"}, ""},
		{"model#1#2", Tag{Artifact: "model", Action: ActionAssign, Stage: "1", Counter: 2}, ""},
		{"model#Prod_Stage-2", Tag{Artifact: "model", Action: ActionAssign, Stage: "Prod_Stage-2"}, ""},
		// deprecation and creation
		{"model@deprecated", Tag{Artifact: "model", Action: ActionDeprecate}, ""},
		{"model@deprecated#3", Tag{Artifact: "model", Action: ActionDeprecate, Counter: 3}, ""},
		{"model@created", Tag{Artifact: "model", Action: ActionCreate}, ""},
		{"model@created#4", Tag{Artifact: "model", Action: ActionCreate, Counter: 4}, ""},
		// namespaces and slashes
		{"dir/sub=model#Prod#1", Tag{Artifact: "dir/sub:model", Action: ActionAssign, Stage: "Prod", Counter: 1}, ""},
		{"dir/sub=model@v1.0.0", Tag{Artifact: "dir/sub:model", Action: ActionRegister, Version: "v1.0.0"}, ""},
		{"namespace/model#team/prod-2#1", Tag{Artifact: "namespace/model", Action: ActionAssign, Stage: "team/prod-2", Counter: 1}, ""},
		{"Some/folder/A=Model@v1.0.0", Tag{Artifact: "Some/folder/A:Model", Action: ActionRegister, Version: "v1.0.0"}, ""},
		{"some/Other_Folder=some/model@deprecated", Tag{Artifact: "some/Other_Folder:some/model", Action: ActionDeprecate}, ""},
		{"a.b/c-d_e.=m@v0.0.1", Tag{Artifact: "a.b/c-d_e.:m", Action: ActionRegister, Version: "v0.0.1"}, ""},
		{"dir/=m#prod", Tag{Artifact: "dir/:m", Action: ActionAssign, Stage: "prod"}, ""},
		{"x.lock=m@v1.0.0", Tag{Artifact: "x.lock:m", Action: ActionRegister, Version: "v1.0.0"}, ""},
		// names 0.2.4 wrote, and the shortest names
		{"my-model/v2@v0.1.0", Tag{Artifact: "my-model/v2", Action: ActionRegister, Version: "v0.1.0"}, ""},
		{"m#s", Tag{Artifact: "m", Action: ActionAssign, Stage: "s"}, ""},
		{"1@v1.0.0", Tag{Artifact: "1", Action: ActionRegister, Version: "v1.0.0"}, ""},
		// counters
		{"model#prod#007", Tag{Artifact: "model", Action: ActionAssign, Stage: "prod", Counter: 7}, "model#prod#7"},
		{"model#prod#0", Tag{Artifact: "model", Action: ActionAssign, Stage: "prod"}, "model#prod"},
		{"model@v1.0.0#9223372036854775807", Tag{Artifact: "model", Action: ActionRegister, Version: "v1.0.0", Counter: 9223372036854775807}, ""},
	} {
		got, ok := Parse(tc.in)
		if !ok || got != tc.want {
			t.Errorf("Parse(%q) = %+v, %v; want %+v", tc.in, got, ok, tc.want)
			continue
		}
		canonical := tc.canonical
		if canonical == "" {
			canonical = tc.in
		}
		if s, err := Format(got); err != nil || s != canonical {
			t.Errorf("Format(Parse(%q)) = %q, %v; want %q", tc.in, s, err, canonical)
		}
	}
}

func TestParseInvalid(t *testing.T) {
	for _, in := range []string{
		// from the reference's tests
		"", "###", "@@@", "model@v1", "nn#prod#-1", "model@v111", "model-prod",
		"model@0.0.1", "model-prod-v1", "model#prod#-1", "model#prod#1-2",
		"model#prod?#1-2", "model#prod@v1.2.3", "model@v1.2.3#prod",
		"model-prod-v1-stage", "model@prod@v1@stage-1", "namespace/model@0.0.1",
		"@namespace/model@0.0.1", "model#prod#v1#stage#1-", "model#prod-v1-stage@1-2",
		"model#prod-v1-stage@1-2#@",
		// the brief's examples
		"v1.0.0", "model@v3", "model#prod#x", "Model@V1.0.0",
		// malformed parts
		"model", "model@", "model#", "model#prod#", "model#prod!!", "model#!",
		"model#prod!x", "model@v1.0.0!!", "model@v1.0.0#", "model@v1.0.0#1#2",
		"model@v1.0.0#+1", "model@v1.0.0# 1", "model@deprecated!", "model@created!",
		"model@deprecated!#1", "model@Deprecated", "model@latest", "model@greatest",
		"model#-prod", "model#prod-", "model#/prod", "model#prod/", "model#pr.od",
		"model#pr od", "model#prod#1!", "model@v01.0.0", "model@v1.0.0-01",
		"model@v1.0.0-", "model@v1.0.0+", "model@v1.0.0-a..b", "model@1.0.0",
		// malformed artifacts
		"-model@v1.0.0", "model-@v1.0.0", "_m@v1.0.0", "/m@v1.0.0", "m/@v1.0.0",
		"mod el@v1.0.0", "mod.el@v1.0.0", "dir:model@v1.0.0", "a=b=c@v1.0.0",
		"=m@v1.0.0", "dir=@v1.0.0", "dir=-m@v1.0.0", "dír=m@v1.0.0", "modél@v1.0.0",
		"m\n@v1.0.0", "m@v1.0.0\n", "m#prod\n",
		// grammatical but not a valid git ref
		"a//b@v1.0.0", "m#a//b", ".x=m@v1.0.0", "a/.x=m@v1.0.0", "a..b=m@v1.0.0",
		"x.lock/y=m@v1.0.0", "m@v1.0.0+b.lock", "-x=m@v1.0.0", "/x=m@v1.0.0",
		// a counter too large for an int
		"model#prod#9223372036854775808", "model#prod#99999999999999999999999",
	} {
		if got, ok := Parse(in); ok {
			t.Errorf("Parse(%q) = %+v, want no match", in, got)
		}
	}
}

func TestFormatErrors(t *testing.T) {
	for _, tc := range []struct {
		tag  Tag
		want string
	}{
		{Tag{Artifact: "###", Action: ActionRegister, Version: "v1.0.0"},
			`invalid artifact name "###": names start and end with a letter or digit and contain only letters, digits, "_", "-" and "/" (optionally prefixed by a "dir:" namespace)`},
		{Tag{Artifact: "a//b", Action: ActionRegister, Version: "v1.0.0"},
			`invalid artifact name "a//b": it contains "//", which git does not allow in tag names`},
		{Tag{Artifact: ".x:m", Action: ActionDeprecate},
			`invalid artifact name ".x:m": it has a path component starting with ".", which git does not allow in tag names`},
		{Tag{Artifact: "m", Action: ActionRegister, Version: "1.0.0"},
			`invalid version "1.0.0": a version is "v" followed by a SemVer 2.0.0 string, e.g. v1.0.0`},
		{Tag{Artifact: "m", Action: ActionRegister},
			`invalid version "": a version is "v" followed by a SemVer 2.0.0 string, e.g. v1.0.0`},
		{Tag{Artifact: "m", Action: ActionAssign, Stage: "a b"},
			`invalid stage name "a b": names start and end with a letter or digit and contain only letters, digits, "_", "-" and "/"`},
		{Tag{Artifact: "m", Action: ActionAssign, Stage: "a//b"},
			`invalid stage name "a//b": it contains "//", which git does not allow in tag names`},
		{Tag{Artifact: "m", Action: ActionAssign, Stage: "prod", Version: "v1.0.0"},
			`cannot write a tag for artifact "m": action assign takes no version, got "v1.0.0"`},
		{Tag{Artifact: "m", Action: ActionRegister, Version: "v1.0.0", Stage: "prod"},
			`cannot write a tag for artifact "m": action register takes no stage, got "prod"`},
		{Tag{Artifact: "m", Action: ActionDeprecate, Stage: "prod"},
			`cannot write a tag for artifact "m": action deprecate takes no stage, got "prod"`},
		{Tag{Artifact: "m", Action: 0},
			`cannot write a tag for artifact "m": unknown action Action(0)`},
		{Tag{Artifact: "m", Action: ActionDeprecate, Counter: -1},
			`invalid counter -1 for a tag of artifact "m": counters are not negative`},
		{Tag{Artifact: "m", Action: ActionRegister, Version: "v1.0.0+b.lock"},
			`"m@v1.0.0+b.lock" is not a valid git tag name: it has a path component ending with ".lock"`},
	} {
		got, err := Format(tc.tag)
		if err == nil {
			t.Errorf("Format(%+v) = %q, want error %s", tc.tag, got, tc.want)
			continue
		}
		if err.Error() != tc.want {
			t.Errorf("Format(%+v) error:\n got %s\nwant %s", tc.tag, err, tc.want)
		}
	}
}

func TestFormatCounters(t *testing.T) {
	for _, tc := range []struct {
		tag  Tag
		want string
	}{
		{Tag{Artifact: "m", Action: ActionRegister, Version: "v1.0.0", Counter: 1}, "m@v1.0.0#1"},
		{Tag{Artifact: "m", Action: ActionDeregister, Version: "v1.0.0", Counter: 12}, "m@v1.0.0!#12"},
		{Tag{Artifact: "m", Action: ActionAssign, Stage: "prod", Counter: 3}, "m#prod#3"},
		{Tag{Artifact: "m", Action: ActionUnassign, Stage: "prod", Counter: 4}, "m#prod!#4"},
		{Tag{Artifact: "m", Action: ActionDeprecate, Counter: 5}, "m@deprecated#5"},
		{Tag{Artifact: "d:m", Action: ActionDeprecate}, "d=m@deprecated"},
		// the counter rescues a version whose build metadata ends with ".lock"
		{Tag{Artifact: "m", Action: ActionRegister, Version: "v1.0.0+b.lock", Counter: 1}, "m@v1.0.0+b.lock#1"},
	} {
		if got, err := Format(tc.tag); err != nil || got != tc.want {
			t.Errorf("Format(%+v) = %q, %v; want %q", tc.tag, got, err, tc.want)
		}
	}
}

func TestCancels(t *testing.T) {
	for a := ActionRegister; a <= ActionCreate; a++ {
		want := a == ActionDeregister || a == ActionUnassign
		if got := (Tag{Action: a}).Cancels(); got != want {
			t.Errorf("Tag{Action: %s}.Cancels() = %v", a, got)
		}
	}
}

func TestActionString(t *testing.T) {
	want := []string{"Action(0)", "register", "deregister", "assign", "unassign", "deprecate", "create", "Action(7)"}
	for i, w := range want {
		if got := Action(i).String(); got != w {
			t.Errorf("Action(%d).String() = %q, want %q", i, got, w)
		}
	}
	if got := Action(-1).String(); got != "Action(-1)" {
		t.Errorf("Action(-1).String() = %q", got)
	}
}

func TestParseAllocations(t *testing.T) {
	if n := testing.AllocsPerRun(100, func() {
		for _, s := range []string{"model@v1.2.3-rc.1#4", "model#team/prod!#12", "model@deprecated", "v1.0.0", "release-2023", "a//b@v1.0.0", "m@v1.0.0+b.lock", "m#a\tb"} {
			Parse(s)
		}
	}); n != 0 {
		t.Errorf("Parse of tags without a namespace, valid or not, allocates %v times", n)
	}
	if n := testing.AllocsPerRun(100, func() { Parse("dir/sub=model@v1.0.0") }); n > 1 {
		t.Errorf("Parse of a namespaced tag allocates %v times, want at most 1", n)
	}
}
