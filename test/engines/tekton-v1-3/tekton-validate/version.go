package main

import (
	"context"

	v1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	prresources "github.com/tektoncd/pipeline/pkg/reconciler/pipelinerun/resources"
)

// applyParameters is the controller's param substitution into the Pipeline (v1.3: takes the
// context, cannot fail).
func applyParameters(ctx context.Context, spec *v1.PipelineSpec, pr *v1.PipelineRun) (*v1.PipelineSpec, error) {
	return prresources.ApplyParameters(ctx, spec, pr), nil
}
