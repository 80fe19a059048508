// Connects to 127.0.0.1:PORT over TLS, trusting only the certificates of TRUSTSTORE (PKCS#12,
// password PASSWORD, possibly empty) and checking the server's name as HOST, the way a Java
// client configured with -Djavax.net.ssl.trustStore would. Run as a single-file program:
//   java TrustCheck.java TRUSTSTORE PASSWORD PORT HOST
// Prints "entries N" (what the truststore holds for Java), then "trusted" and exits 0, or
// "untrusted: <reason>" and exits 3.
import java.io.FileInputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.KeyStore;
import java.util.Collections;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

public class TrustCheck {
    public static void main(String[] args) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (FileInputStream in = new FileInputStream(args[0])) {
            store.load(in, args[1].toCharArray());
        }
        int trusted = 0;
        for (String alias : Collections.list(store.aliases())) {
            if (store.isCertificateEntry(alias)) {
                trusted++;
            }
        }
        System.out.println("entries " + trusted);
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        String host = args[3];
        try (Socket plain = new Socket()) {
            plain.connect(new InetSocketAddress("127.0.0.1", Integer.parseInt(args[2])), 10000);
            plain.setSoTimeout(10000);
            // Layered over a loopback connection: the name is checked as HOST, never looked up.
            SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(plain, host, plain.getPort(), true);
            SSLParameters params = tls.getSSLParameters();
            params.setEndpointIdentificationAlgorithm("HTTPS");
            params.setServerNames(Collections.singletonList(new SNIHostName(host)));
            tls.setSSLParameters(params);
            tls.startHandshake();
            System.out.println("trusted");
            tls.close();
        } catch (SSLHandshakeException e) {
            System.out.println("untrusted: " + e.getMessage());
            System.exit(3);
        }
    }
}
