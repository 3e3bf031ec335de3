package main

import (
	"context"

	v1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	prresources "github.com/tektoncd/pipeline/pkg/reconciler/pipelinerun/resources"
)

// applyParameters is the controller's param substitution into the Pipeline (v1.15: returns an
// error).
func applyParameters(_ context.Context, spec *v1.PipelineSpec, pr *v1.PipelineRun) (*v1.PipelineSpec, error) {
	return prresources.ApplyParameters(spec, pr)
}
