package main

import (
	"fmt"
	"strings"
)

// The monorepo shapes: 2,000 artifacts declared by 200 dvc.yaml files (one
// per project folder, named "projects/pNNN:model-NNN") or by one root
// dvc.yaml, to compare what reading many files costs.
func init() {
	Shapes["monorepo"] = Shape{Name: "monorepo", Artifacts: 2000, DVCFiles: 200}
	Shapes["monorepo-flat"] = Shape{Name: "monorepo-flat", Artifacts: 2000, DVCFiles: 1}
}

// dvcFiles spreads the artifacts of s over s.DVCFiles dvc.yaml files, with
// a stages section beside, as DVC projects have.
func dvcFiles(s Shape) map[string]string {
	bodies := make([]strings.Builder, s.DVCFiles)
	for a := 0; a < s.Artifacts; a++ {
		b := &bodies[a%s.DVCFiles]
		if b.Len() == 0 {
			b.WriteString("stages:\n  train:\n    cmd: python train.py\nartifacts:\n")
		}
		fmt.Fprintf(b, "  %s:\n    type: model\n    path: models/%s.pkl\n    desc: artifact %d\n", artifactName(a), artifactName(a), a)
	}
	files := make(map[string]string, s.DVCFiles)
	for i := range bodies {
		file := "dvc.yaml"
		if s.DVCFiles > 1 {
			file = fmt.Sprintf("projects/p%03d/dvc.yaml", i)
		}
		files[file] = bodies[i].String()
	}
	return files
}
