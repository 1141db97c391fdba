package sales

import "context"

// MetricsRecords is the report computed from full records, the reference
// of the streamed one.
func (s *Service) MetricsRecords(ctx context.Context, a Actor, q MetricsQuery) (*MetricsView, error) {
	return s.metricsRecords(ctx, a, q)
}
