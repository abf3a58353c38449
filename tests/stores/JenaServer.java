// A small SPARQL 1.1 endpoint over an Apache Jena TDB2 dataset, for tests and benchmarks only.
//
// Debian ships Jena's ARQ and TDB2 (libapache-jena-java) but no Fuseki server, and none is reachable
// from the registries here. This file gives the same engine an HTTP face, the way Fuseki would serve a
// TDB2 dataset with tdb2:unionDefaultGraph true:
//   GET/POST /query   SPARQL Protocol query (query= form or application/sparql-query body);
//                     SELECT/ASK as SPARQL JSON, CONSTRUCT/DESCRIBE as N-Triples
//   POST /update      SPARQL Protocol update (update= form or application/sparql-update body)
//   PUT/POST/DELETE/GET /store?graph=IRI   Graph Store Protocol on named graphs (N-Triples)
// Run with Java's single-file launcher, no build step:
//   java -cp "$CP" tests/stores/JenaServer.java --loc DB --port 3030   (binds 127.0.0.1 only)
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import org.apache.jena.graph.Graph;
import org.apache.jena.graph.NodeFactory;
import org.apache.jena.query.Dataset;
import org.apache.jena.query.Query;
import org.apache.jena.query.QueryExecution;
import org.apache.jena.query.QueryExecutionFactory;
import org.apache.jena.query.QueryFactory;
import org.apache.jena.query.ReadWrite;
import org.apache.jena.query.ResultSetFormatter;
import org.apache.jena.rdf.model.Model;
import org.apache.jena.riot.Lang;
import org.apache.jena.riot.RDFDataMgr;
import org.apache.jena.riot.RDFParser;
import org.apache.jena.sparql.graph.GraphFactory;
import org.apache.jena.tdb2.TDB2;
import org.apache.jena.tdb2.TDB2Factory;
import org.apache.jena.update.UpdateAction;

public class JenaServer {
    static Dataset dataset;

    public static void main(String[] args) throws Exception {
        String loc = null;
        int port = 3030;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--loc")) loc = args[++i];
            else if (args[i].equals("--port")) port = Integer.parseInt(args[++i]);
        }
        if (loc == null) throw new IllegalArgumentException("usage: JenaServer --loc DB [--port N]");
        dataset = TDB2Factory.connectDataset(loc);
        dataset.getContext().set(TDB2.symUnionDefaultGraph, true);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 50);
        server.createContext("/query", JenaServer::query);
        server.createContext("/update", JenaServer::update);
        server.createContext("/store", JenaServer::store);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();
        System.out.println("JenaServer on http://127.0.0.1:" + port + "/query (TDB2 " + loc + ")");
    }

    static Map<String, String> form(String text) {
        Map<String, String> out = new HashMap<>();
        if (text == null || text.isEmpty()) return out;
        for (String pair : text.split("&")) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            out.put(URLDecoder.decode(key, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
        }
        return out;
    }

    static String body(HttpExchange ex) throws IOException {
        return new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    }

    static String param(HttpExchange ex, String name, String directType) throws IOException {
        Map<String, String> q = form(ex.getRequestURI().getRawQuery());
        if (q.containsKey(name)) return q.get(name);
        if (!ex.getRequestMethod().equals("POST")) return null;
        String type = String.valueOf(ex.getRequestHeaders().getFirst("Content-Type"));
        String text = body(ex);
        if (type.startsWith(directType)) return text;
        return form(text).get(name);
    }

    static void reply(HttpExchange ex, int code, String type, byte[] data) throws IOException {
        if (type != null) ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(code, data.length == 0 ? -1 : data.length);
        if (data.length > 0) try (OutputStream out = ex.getResponseBody()) { out.write(data); }
        ex.close();
    }

    static void fail(HttpExchange ex, int code, Throwable e) throws IOException {
        reply(ex, code, "text/plain; charset=utf-8", String.valueOf(e.getMessage()).getBytes(StandardCharsets.UTF_8));
    }

    static void query(HttpExchange ex) throws IOException {
        try {
            String text = param(ex, "query", "application/sparql-query");
            if (text == null) { reply(ex, 400, "text/plain", "no query".getBytes()); return; }
            Query query;
            try { query = QueryFactory.create(text); } catch (Exception e) { fail(ex, 400, e); return; }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            String type;
            dataset.begin(ReadWrite.READ);
            try (QueryExecution qe = QueryExecutionFactory.create(query, dataset)) {
                qe.getContext().set(TDB2.symUnionDefaultGraph, true);
                if (query.isSelectType()) {
                    ResultSetFormatter.outputAsJSON(out, qe.execSelect());
                    type = "application/sparql-results+json";
                } else if (query.isAskType()) {
                    ResultSetFormatter.outputAsJSON(out, qe.execAsk());
                    type = "application/sparql-results+json";
                } else {
                    Model model = query.isConstructType() ? qe.execConstruct() : qe.execDescribe();
                    RDFDataMgr.write(out, model, Lang.NTRIPLES);
                    type = "application/n-triples";
                }
            } finally {
                dataset.end();
            }
            reply(ex, 200, type, out.toByteArray());
        } catch (Exception e) {
            fail(ex, 500, e);
        }
    }

    static void update(HttpExchange ex) throws IOException {
        try {
            String text = param(ex, "update", "application/sparql-update");
            if (text == null) { reply(ex, 400, "text/plain", "no update".getBytes()); return; }
            dataset.begin(ReadWrite.WRITE);
            try {
                UpdateAction.parseExecute(text, dataset);
                dataset.commit();
            } catch (org.apache.jena.query.QueryParseException e) {
                dataset.abort();
                fail(ex, 400, e);
                return;
            } finally {
                dataset.end();
            }
            reply(ex, 204, null, new byte[0]);
        } catch (Exception e) {
            fail(ex, 500, e);
        }
    }

    static void store(HttpExchange ex) throws IOException {
        try {
            String graph = form(ex.getRequestURI().getRawQuery()).get("graph");
            if (graph == null) { reply(ex, 400, "text/plain", "?graph=IRI required".getBytes()); return; }
            var node = NodeFactory.createURI(graph);
            String method = ex.getRequestMethod();
            if (method.equals("GET")) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                dataset.begin(ReadWrite.READ);
                try { RDFDataMgr.write(out, dataset.asDatasetGraph().getGraph(node), Lang.NTRIPLES); }
                finally { dataset.end(); }
                reply(ex, 200, "application/n-triples", out.toByteArray());
                return;
            }
            Graph parsed = GraphFactory.createDefaultGraph();
            if (!method.equals("DELETE")) {
                byte[] data = ex.getRequestBody().readAllBytes();
                try {
                    RDFParser.source(new ByteArrayInputStream(data)).lang(Lang.NTRIPLES).parse(parsed);
                } catch (Exception e) { fail(ex, 400, e); return; }
            }
            dataset.begin(ReadWrite.WRITE);
            try {
                var dsg = dataset.asDatasetGraph();
                if (!method.equals("POST")) dsg.removeGraph(node);
                if (!method.equals("DELETE")) parsed.find().forEachRemaining(t -> dsg.add(node, t.getSubject(), t.getPredicate(), t.getObject()));
                dataset.commit();
            } finally {
                dataset.end();
            }
            reply(ex, method.equals("PUT") ? 201 : 204, null, new byte[0]);
        } catch (Exception e) {
            fail(ex, 500, e);
        }
    }
}
