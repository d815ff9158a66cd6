package httpapi

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/eccs/eccs/api"
)

// handleOpenAPI serves the OpenAPI description of the API. It needs no credentials.
func (s *server) handleOpenAPI(w http.ResponseWriter, r *http.Request) error {
	h := w.Header()
	h.Set("Content-Type", "application/yaml")
	h.Set("Content-Length", strconv.Itoa(len(api.OpenAPI)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(api.OpenAPI)
	}
	return nil
}

// handleHealth answers 200 while the process serves requests (liveness).
func (s *server) handleHealth(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, api.Health{Status: "ok"})
	return nil
}

// handleReady answers 200 when the database answers within a second, 503 otherwise
// (readiness: a load balancer stops sending traffic to a replica that is not ready).
func (s *server) handleReady(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), time.Second)
	defer cancel()
	if err := s.svc.Ping(ctx); err != nil {
		s.logger.ErrorContext(ctx, "not ready", "request_id", requestID(ctx), "error", err.Error())
		writeJSON(w, http.StatusServiceUnavailable, api.Health{Status: "unavailable"})
		return nil
	}
	writeJSON(w, http.StatusOK, api.Health{Status: "ok"})
	return nil
}
