package dev.drpo.embedded;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * A fixed local port that forwards to the in-process broker, whose own port the test kit picks
 * (it pre-binds its listeners). A Kafka client bootstraps through it and is then told the broker's
 * address, also on localhost, and talks to it directly; so any local client (kcat, the console
 * tools) can use the fixed port. Connections are copied byte for byte on daemon threads.
 */
final class BootstrapPort implements AutoCloseable {
  private final ServerSocket server;

  BootstrapPort(int port, int brokerPort) throws IOException {
    server = new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
    daemon(() -> {
      while (!server.isClosed()) {
        try {
          Socket client = server.accept();
          Socket broker = new Socket(InetAddress.getLoopbackAddress(), brokerPort);
          daemon(() -> copy(client, broker));
          daemon(() -> copy(broker, client));
        } catch (IOException e) {
          // the server socket was closed, or one connection failed: the client sees it closed
        }
      }
    });
  }

  private static void copy(Socket from, Socket to) {
    try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
      in.transferTo(out);
    } catch (IOException e) {
      // the other side closed
    } finally {
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // already closed
    }
  }

  private static void daemon(Runnable r) {
    Thread t = new Thread(r, "kafka-bootstrap-port");
    t.setDaemon(true);
    t.start();
  }

  int port() {
    return server.getLocalPort();
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
