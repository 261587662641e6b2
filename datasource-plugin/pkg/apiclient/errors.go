package apiclient

import (
	"errors"
	"fmt"
)

// ErrorKind classifies why a call to the PacketFlux API failed, so that callers can map it to
// a Grafana status without parsing messages.
type ErrorKind int

const (
	// KindUnreachable: no connection (refused, DNS, TLS, reset).
	KindUnreachable ErrorKind = iota + 1
	// KindTimeout: the API did not answer within the client's timeout.
	KindTimeout
	// KindUnauthorized: the API answered 401 or 403 (token missing or wrong).
	KindUnauthorized
	// KindBadRequest: the API answered 400: unknown metric, malformed query, range too long.
	KindBadRequest
	// KindNotFound: the API answered 404: the URL is probably not a PacketFlux API.
	KindNotFound
	// KindUnavailable: the API answered 503: InfluxDB is unreachable.
	KindUnavailable
	// KindBadResponse: the API answered 2xx with a body this client cannot read.
	KindBadResponse
	// KindOther: any other non-2xx answer.
	KindOther
)

// Error is a failed call to the PacketFlux API. Message is written for a Grafana user and never
// contains the API token.
type Error struct {
	Kind    ErrorKind
	Status  int // HTTP status of the answer, 0 when there was none
	Message string
	// APIMessage is the reason the API gave in its error answer ({"error": "..."}), if any.
	APIMessage string
	Err        error
}

func (e *Error) Error() string { return e.Message }

func (e *Error) Unwrap() error { return e.Err }

// KindOf returns the kind of an *Error anywhere in err's chain, or 0.
func KindOf(err error) ErrorKind {
	var apiErr *Error
	if errors.As(err, &apiErr) {
		return apiErr.Kind
	}
	return 0
}

func statusError(status int, apiMessage, path string) *Error {
	e := &Error{Status: status, APIMessage: apiMessage}
	suffix := ""
	if apiMessage != "" {
		suffix = ": " + apiMessage
	}
	switch {
	case status == 400:
		e.Kind = KindBadRequest
		if apiMessage == "" {
			apiMessage = "bad request"
		}
		e.Message = "PacketFlux API rejected the query: " + apiMessage
	case status == 401 || status == 403:
		e.Kind = KindUnauthorized
		e.Message = fmt.Sprintf("PacketFlux API refused the request (HTTP %d): set the API token in the data source settings to the API's --api-token", status)
	case status == 404:
		e.Kind = KindNotFound
		e.Message = fmt.Sprintf("PacketFlux API has no %s (HTTP 404): check that the URL points at the PacketFlux API (port 3001 by default)", path)
	case status == 503:
		e.Kind = KindUnavailable
		e.Message = "PacketFlux API cannot read InfluxDB (HTTP 503)" + suffix
	default:
		e.Kind = KindOther
		e.Message = fmt.Sprintf("PacketFlux API answered HTTP %d on %s%s", status, path, suffix)
	}
	return e
}
