package tagname

import "testing"

// benchTags is a realistic mix: mostly GTO tags of a few shapes, some with namespaces,
// and some foreign tags that a repository also holds and Parse must reject quickly.
var benchTags = []string{
	"model@v1.2.3",
	"model#prod#12",
	"churn-model@v0.10.4-rc.1",
	"dir/sub=model@v1.0.0",
	"nn#staging!#4",
	"model@v2.0.0!",
	"model@deprecated#9",
	"namespace/model#team/prod-2#1",
	"some-lib@v10.20.30+build.7#31",
	"v1.0.0",
	"release-2023-01",
	"model@v3",
}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		Parse(benchTags[i%len(benchTags)])
	}
}
