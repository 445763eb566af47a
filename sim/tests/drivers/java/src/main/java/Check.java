// The data-plane checks with the official Java driver (mongodb-driver-sync); see ../README.md.

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.MongoCredential;
import com.mongodb.MongoSecurityException;
import com.mongodb.MongoServerException;
import com.mongodb.MongoTimeoutException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import java.io.FileInputStream;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bson.Document;

public final class Check {
    private static int failed = 0;
    private static SSLContext tls;

    private static void check(String name, boolean ok, Object why) {
        System.out.println(ok ? "PASS java: " + name : "FAIL java: " + name + ": " + why);
        if (!ok) failed++;
    }

    private static String env(String name) {
        return System.getenv(name);
    }

    /** Java takes no CA file in the connection string: the CA goes into an SSLContext. */
    private static SSLContext tlsContext(String caFile) throws Exception {
        var cf = CertificateFactory.getInstance("X.509");
        var ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        try (var in = new FileInputStream(caFile)) {
            ks.setCertificateEntry("atlas-sim", cf.generateCertificate(in));
        }
        var tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        var ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    private static MongoClient client(String uri, String user, String password, int timeoutMs) {
        var settings = MongoClientSettings.builder()
                .applyConnectionString(new ConnectionString(uri))
                .credential(MongoCredential.createCredential(user, "admin", password.toCharArray()))
                .applyToSslSettings(b -> b.enabled(true).context(tls))
                .applyToClusterSettings(b -> b.serverSelectionTimeout(timeoutMs, TimeUnit.MILLISECONDS))
                .applyToSocketSettings(b -> b.connectTimeout(timeoutMs, TimeUnit.MILLISECONDS))
                .build();
        return MongoClients.create(settings);
    }

    /** null when ping works, else what the driver threw. */
    private static RuntimeException ping(String uri, String user, String password, int timeoutMs) {
        try (var c = client(uri, user, password, timeoutMs)) {
            c.getDatabase("admin").runCommand(new Document("ping", 1));
            return null;
        } catch (RuntimeException e) {
            return e;
        }
    }

    private static void authFails(String name, String user, String password) {
        var e = ping(env("URI_RS"), user, password, 5000);
        check(name + " fails authentication", e instanceof MongoSecurityException, e);
    }

    /** Pings with each string cloud.resources.import stored (IMPORTED_URIS: name=uri ...), its credentials inside it. */
    private static void imported() {
        for (var pair : env("IMPORTED_URIS").trim().split("\\s+")) {
            var name = pair.substring(0, pair.indexOf('='));
            var settings = MongoClientSettings.builder()
                    .applyConnectionString(new ConnectionString(pair.substring(pair.indexOf('=') + 1)))
                    .applyToSslSettings(b -> b.enabled(true).context(tls))
                    .applyToClusterSettings(b -> b.serverSelectionTimeout(10000, TimeUnit.MILLISECONDS))
                    .build();
            RuntimeException err = null;
            try (var c = MongoClients.create(settings)) {
                c.getDatabase("admin").runCommand(new Document("ping", 1));
            } catch (RuntimeException e) {
                err = e;
            }
            check("the string imported for " + name + " pings", err == null, err == null ? null : err.getClass().getSimpleName());
        }
    }

    public static void main(String[] args) throws Exception {
        tls = tlsContext(env("CA_FILE"));
        if (env("IMPORTED_URIS") != null && !env("IMPORTED_URIS").isBlank()) {
            imported();
            System.exit(failed == 0 ? 0 : 1);
        }
        String pw = env("PASSWORD");
        String coll = env("COLL") == null ? "java" : env("COLL");
        var e = ping(env("URI_RS"), "app-rw", pw, 5000);
        check("read-write user pings the replica set", e == null, e);
        e = ping(env("URI_SHARDED"), "app-rw", pw, 5000);
        check("read-write user pings the mongos routers", e == null, e);
        authFails("wrong password", "app-rw", "not-the-password");
        authFails("user scoped to another cluster", "app-scoped", pw);
        authFails("deleted user", "app-deleted", pw);
        authFails("user before APPLIED", "app-pending", pw);
        authFails("expired user", "app-expired", pw);
        e = ping(env("URI_PAUSED"), "app-rw", pw, 1500);
        check("paused cluster fails to connect", e instanceof MongoTimeoutException, e);

        try (var rw = client(env("URI_RS"), "app-rw", pw, 5000)) {
            MongoCollection<Document> c = rw.getDatabase("app").getCollection(coll);
            c.insertOne(new Document("driver", "java").append("n", 1));
            var got = c.find(new Document("driver", "java")).first();
            check("read-write user inserts and finds", got != null && got.getInteger("n") == 1, got);
        }
        try (var ro = client(env("URI_RS"), "app-ro", pw, 5000)) {
            MongoCollection<Document> c = ro.getDatabase("app").getCollection(coll);
            var got = c.find(new Document("n", 1)).into(new ArrayList<>());
            check("read-only user finds", got.size() == 1, got);
            try {
                c.insertOne(new Document("driver", "java").append("n", 2));
                check("read-only user cannot insert", false, "insert succeeded");
            } catch (MongoServerException ex) {
                check("read-only user cannot insert (Unauthorized)", ex.getCode() == 13, ex);
            }
        }
        System.exit(failed == 0 ? 0 : 1);
    }
}
