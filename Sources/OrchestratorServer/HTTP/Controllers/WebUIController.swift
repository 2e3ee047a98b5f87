/// The web UI: clusters and their problems, topology trees you can act on (drag a replica onto its
/// new master; every MySQL change previewed with the API's dry run, run once confirmed), an instance
/// panel with its actions, Raft (with leadership transfer), recoveries and detections across
/// clusters, search; served by every node over its own API (actions only for users who may change
/// things, see `/api/webui/session`). Upstream's `/web/...` paths; `/` leads there. It needs what the
/// API needs: under basic auth the browser asks once.
struct WebUIController: APIController {
    func register(into routes: inout APIRoutes) {
        for path in ["/", "/web", "/web/"] {
            routes.add(path) { _ in .redirect(to: "/web/clusters") }
        }
        for page in ["/web/clusters", "/web/cluster/:clusterName", "/web/cluster/alias/:clusterAlias", "/web/raft", "/web/audit",
                     "/web/search"] {
            routes.add(page) { _ in .asset(WebAssets.indexHTML, type: "text/html; charset=utf-8") }
        }
        routes.add("/web/static/app.js") { _ in .asset(WebAssets.appJS, type: "text/javascript; charset=utf-8") }
        routes.add("/web/static/app.css") { _ in .asset(WebAssets.appCSS, type: "text/css; charset=utf-8") }
    }
}

extension APIResponse {
    static func redirect(to location: String) -> APIResponse {
        var response = APIResponse.text("see \(location)\n", status: 302)
        response.headers["Location"] = location
        return response
    }

    /// A UI file, with headers that keep the page to its own origin and code.
    static func asset(_ text: String, type: String) -> APIResponse {
        var response = APIResponse(status: 200, contentType: type, body: Array(text.utf8))
        response.headers["Content-Security-Policy"] =
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Cache-Control"] = "no-cache"
        return response
    }
}
