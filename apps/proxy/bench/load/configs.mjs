// Config text for every process of the load benchmark: the nginx upstream, the haproxy and nginx
// proxies, and the Weft bootstraps. All listen on 127.0.0.1 only, one worker / one thread each, and
// all route by Host + path prefix with an access log written to a file.

/** The Host header and path prefix every case routes on. */
export const ROUTE_HOST = 'svc.local';
export const ROUTE_PREFIX = '/api/';
export const REQUEST_PATH = '/api/bench';
/** The upstream's fixed response body (20 bytes). */
export const UPSTREAM_BODY = 'hello from upstream\n';

function nginxPrologue(dir, name) {
  return `daemon off;
master_process off;
worker_processes 1;
error_log ${dir}/${name}.error.log warn;
pid ${dir}/${name}.pid;
events { worker_connections 4096; }
http {
  client_body_temp_path ${dir}/${name}-client-body;
  proxy_temp_path ${dir}/${name}-proxy;
  fastcgi_temp_path ${dir}/${name}-fastcgi;
  uwsgi_temp_path ${dir}/${name}-uwsgi;
  scgi_temp_path ${dir}/${name}-scgi;
  keepalive_requests 1000000;
  keepalive_timeout 60s;
`;
}

/** The upstream every case ends at: nginx answering `return 200` with a fixed body, no access log. */
export function upstreamNginx(dir, port) {
  return `${nginxPrologue(dir, 'upstream')}  access_log off;
  server {
    listen 127.0.0.1:${port} backlog=4096;
    default_type text/plain;
    location / { return 200 "${UPSTREAM_BODY.replace('\n', '\\n')}"; }
  }
}
`;
}

/** nginx as a reverse proxy: Host + prefix routing, upstream keep-alive, access log to a file. */
export function proxyNginx(dir, name, port, upstreamPort) {
  return `${nginxPrologue(dir, name)}  access_log ${dir}/${name}.access.log combined;
  upstream svc { server 127.0.0.1:${upstreamPort}; keepalive 64; keepalive_requests 1000000; }
  server {
    listen 127.0.0.1:${port} backlog=4096 default_server;
    location / { return 404; }
  }
  server {
    listen 127.0.0.1:${port};
    server_name ${ROUTE_HOST};
    location ${ROUTE_PREFIX} {
      proxy_pass http://svc;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
    }
    location / { return 404; }
  }
}
`;
}

/** haproxy in http mode: one thread, Host + prefix ACLs, roundrobin, server-side keep-alive, access log. */
export function proxyHaproxy(port, upstreamPort) {
  return `global
  nbthread 1
  maxconn 8192
  log stdout format raw local0 info

defaults
  mode http
  log global
  option httplog
  option http-keep-alive
  timeout connect 1s
  timeout client 30s
  timeout server 30s
  timeout http-keep-alive 60s

frontend fe
  bind 127.0.0.1:${port}
  acl svc_host hdr(host) -i ${ROUTE_HOST}
  acl svc_path path_beg ${ROUTE_PREFIX}
  use_backend be_svc if svc_host svc_path
  default_backend be_none

backend be_svc
  balance roundrobin
  http-reuse always
  server s1 127.0.0.1:${upstreamPort}

backend be_none
  http-request return status 404
`;
}

/**
 * A Weft bootstrap with one HTTP listener (OUTBOUND for a client-side proxy, INBOUND for the
 * server side of the pair) routing Host + prefix to a ROUND_ROBIN cluster over `upstreamPort`.
 */
export function weftBootstrap(port, upstreamPort, direction = 'OUTBOUND') {
  return `static_resources:
  listeners:
  - name: bench_${direction.toLowerCase()}
    traffic_direction: ${direction}
    address: { socket_address: { address: 127.0.0.1, port_value: ${port} } }
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: bench
          codec_type: AUTO
          http_filters:
          - name: envoy.filters.http.router
            typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }
          route_config:
            name: bench
            virtual_hosts:
            - name: svc
              domains: ["${ROUTE_HOST}", "${ROUTE_HOST}:*"]
              routes:
              - match: { prefix: "${ROUTE_PREFIX}" }
                route: { cluster: svc, timeout: 5s }
  clusters:
  - name: svc
    type: STATIC
    connect_timeout: 1s
    lb_policy: ROUND_ROBIN
    load_assignment:
      cluster_name: svc
      endpoints:
      - lb_endpoints:
        - endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${upstreamPort} } } }
`;
}
