package org.pathoreason.serve;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.pathoreason.util.Json;
import org.pathoreason.util.PathoReasonException;

/**
 * A request the API refuses, carried to the client in OpenAI's error shape
 * {@code {"error": {"message", "type", "param", "code"}}} with its HTTP status.
 */
public final class ApiException extends PathoReasonException {

    private final int status;
    private final String type;
    private final String param;
    private final String code;
    private final Integer retryAfterSeconds;

    private ApiException(int status, String type, String param, String code, String message, Integer retryAfter) {
        super(message);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
        this.retryAfterSeconds = retryAfter;
    }

    /** 400: a field is missing, of the wrong type or out of range. */
    public static ApiException badRequest(String param, String message) {
        return new ApiException(400, "invalid_request_error", param, "invalid_value", message, null);
    }

    /** 400: the body is not JSON. */
    public static ApiException badJson(String message) {
        return new ApiException(400, "invalid_request_error", null, "invalid_json", message, null);
    }

    public static ApiException unauthorized() {
        return new ApiException(401, "authentication_error", null, "invalid_api_key",
                "missing or wrong API key (send it as 'Authorization: Bearer <key>')", null);
    }

    public static ApiException notFound(String param, String message) {
        return new ApiException(404, "not_found_error", param, "not_found", message, null);
    }

    public static ApiException tooLarge(String message) {
        return new ApiException(413, "invalid_request_error", null, "request_too_large", message, null);
    }

    /** 422: the request is well-formed but its images are too large or too many. */
    public static ApiException unprocessable(String param, String code, String message) {
        return new ApiException(422, "invalid_request_error", param, code, message, null);
    }

    public static ApiException busy(String message, int retryAfterSeconds) {
        return new ApiException(429, "rate_limit_error", null, "server_busy", message, retryAfterSeconds);
    }

    public static ApiException internal(String message) {
        return new ApiException(500, "server_error", null, "internal_error", message, null);
    }

    public static ApiException unavailable(String message, int retryAfterSeconds) {
        return new ApiException(503, "service_unavailable", null, "unavailable", message, retryAfterSeconds);
    }

    public int status() {
        return status;
    }

    /** Seconds for a {@code Retry-After} header, or null. */
    public Integer retryAfterSeconds() {
        return retryAfterSeconds;
    }

    /** The response body. */
    public ObjectNode body() {
        ObjectNode root = Json.MAPPER.createObjectNode();
        ObjectNode e = root.putObject("error");
        e.put("message", getMessage());
        e.put("type", type);
        if (param == null) {
            e.putNull("param");
        } else {
            e.put("param", param);
        }
        e.put("code", code);
        return root;
    }
}
