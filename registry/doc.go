// Package registry is gto's artifact registry as a library: a git
// repository whose annotated tags record artifacts, their versions and
// their stages (GTO's tag format: model@v1.2.0 registers a version,
// model#prod#7 assigns a stage, model@deprecated retires an artifact).
//
// Open a registry on a local path or a remote URL, then read it (ShowRegistry,
// ShowArtifact, History, Stages, CheckRef, Describe, Doctor) or write it
// (Register, Assign, Deprecate, Deregister, Unassign, Annotate, Remove).
// The CLI (gto) and the web UI (gto serve) are thin layers over these calls.
//
//	reg, err := registry.Open(ctx, registry.Options{Repo: "."})
//	if err != nil {
//		return err
//	}
//	defer reg.Close()
//	// v0.0.1 of churn at HEAD, then promote it
//	if _, err := reg.Register(ctx, registry.RegisterOptions{Name: "churn"}); err != nil {
//		return err
//	}
//	res, err := reg.Assign(ctx, registry.AssignOptions{Name: "churn", Version: "v0.0.1", Stage: "prod", Push: true})
//	var conflict *model.ConflictError
//	if errors.As(err, &conflict) && conflict.Force {
//		// the version is in prod already: AssignOptions.Force assigns it again
//	}
//	fmt.Println(res.Created[0].Name) // churn#prod#1
//	view, err := reg.ShowRegistry(ctx, registry.DefaultShowOptions())
//	for _, row := range view.Rows {
//		fmt.Println(row.Artifact.Name, row.Latest, row.InStage["prod"])
//	}
//
// What the registry returns is the pure model of package model (its
// state, events, versions and views), and its errors are model's typed
// errors, in the domain's words: errors.As with *model.InvalidError (the
// Field at fault), *model.NotFoundError, *model.ConflictError (Force: the
// Force option would overcome it), *model.PushError, or errors.Is with
// ErrInvalid, ErrNotFound, ErrConflict, ErrPush, ErrNotARepository.
//
// A write is all or nothing: its tags are one ref transaction, and a
// cancelled context, or a killed process, leaves all of them or none. With
// Push (or on a registry opened from a URL) the tags are pushed to origin;
// counters stay unique across clones (see docs/cli.md, "Other clones").
// A Registry's methods are meant to be called one after the other.
package registry
