package dev.poolwise.lab;

import com.ongres.scram.client.ScramClient;
import com.ongres.scram.common.exception.ScramException;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A read-only session on PgBouncer's admin console (the pseudo-database {@code pgbouncer}) for {@code doctor}:
 * logs in and runs {@code SHOW …} commands with the simple query protocol, returning rows as column → text.
 *
 * <p>Why not pgjdbc: the console answers only the simple query protocol and accepts no {@code SET} but its own
 * settings, and pgjdbc, seeing the console's {@code server_version} ({@code 1.18.0/bouncer}, below 9.0), always
 * sends {@code SET extra_float_digits = 2} after login: the console fails that with {@code SET failed} and pgjdbc
 * gives up (checked against PgBouncer 1.18 with pgjdbc 42.7; {@code assumeMinServerVersion} and
 * {@code preferQueryMode=simple} do not avoid it). So this class speaks the few messages of protocol 3.0 the
 * console needs: startup, authentication (trust, cleartext, MD5 and SCRAM-SHA-256 — the SCRAM exchange by
 * the {@code com.ongres.scram} client, the one pgjdbc itself uses), simple query, terminate.
 *
 * <p>Not thread-safe: one command at a time, from one thread. The password is never part of an exception
 * message; PgBouncer's own error texts are passed on as they are.
 */
final class PgBouncerConsole implements AutoCloseable {

  private static final int PROTOCOL_3_0 = 196_608;
  private static final int AUTH_OK = 0;
  private static final int AUTH_CLEARTEXT = 3;
  private static final int AUTH_MD5 = 5;
  private static final int AUTH_SASL = 10;
  private static final int AUTH_SASL_CONTINUE = 11;
  private static final int AUTH_SASL_FINAL = 12;
  private static final String SCRAM_SHA_256 = "SCRAM-SHA-256";
  /** The largest message this client accepts: a SHOW answer of thousands of clients stays far below it. */
  private static final int LARGEST_MESSAGE = 64 << 20;

  private final Socket socket;
  private final DataInputStream in;
  private final DataOutputStream out;
  private final Map<String, String> parameters = new LinkedHashMap<>();

  private PgBouncerConsole(Socket socket) throws IOException {
    this.socket = socket;
    this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
    this.out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()));
  }

  /**
   * Logs in to the admin console at {@code host:port} as {@code user}.
   *
   * @param password the password, or null for {@code auth_type = trust}
   * @throws SQLException with PgBouncer's message (SQLState as sent) when the login is refused, or 08001 when
   *     the console cannot be reached or speaks something else
   */
  static PgBouncerConsole connect(String host, int port, String user, String password, Duration timeout)
      throws SQLException {
    Socket socket = new Socket();
    try {
      socket.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
      socket.setSoTimeout((int) timeout.toMillis());
      PgBouncerConsole console = new PgBouncerConsole(socket);
      console.login(user, password);
      return console;
    } catch (IOException e) {
      closeQuietly(socket);
      throw new SQLException("Could not talk to PgBouncer's admin console at " + host + ":" + port + ": "
          + e.getMessage(), "08001", e);
    } catch (SQLException e) {
      closeQuietly(socket);
      throw e;
    }
  }

  /** {@code server_version} and the other parameters the console reported at login. */
  Map<String, String> parameters() {
    return Map.copyOf(parameters);
  }

  /**
   * Runs one console command ({@code SHOW POOLS}, {@code SHOW CLIENTS}, …) and returns its rows in order, each as
   * column name → text (null for SQL NULL).
   */
  List<Map<String, String>> show(String command) throws SQLException {
    try {
      send('Q', zeroTerminated(command));
      List<String> columns = List.of();
      List<Map<String, String>> rows = new ArrayList<>();
      SQLException failure = null;
      while (true) {
        Message message = receive();
        switch (message.type) {
          case 'T' -> columns = columnNames(message.body);
          case 'D' -> rows.add(row(columns, message.body));
          case 'E' -> failure = error(message.body, command);
          case 'Z' -> {
            if (failure != null) {
              throw failure;
            }
            return rows;
          }
          default -> {
            // CommandComplete, notices, parameter changes: nothing a SHOW's caller needs.
          }
        }
      }
    } catch (IOException e) {
      throw new SQLException("PgBouncer's admin console stopped answering during " + command + ": " + e.getMessage(),
          "08006", e);
    }
  }

  @Override
  public void close() {
    try {
      send('X', new byte[0]);
    } catch (IOException alreadyGone) {
      // Closing anyway.
    }
    closeQuietly(socket);
  }

  /* --- Login --- */

  private void login(String user, String password) throws IOException, SQLException {
    ByteArrayOutputStream startup = new ByteArrayOutputStream();
    DataOutputStream body = new DataOutputStream(startup);
    body.writeInt(PROTOCOL_3_0);
    for (String text : new String[] {"user", user, "database", "pgbouncer", "application_name",
        LiveDatabase.APPLICATION_NAME}) {
      body.write(zeroTerminated(text));
    }
    body.writeByte(0);
    out.writeInt(startup.size() + 4);
    out.write(startup.toByteArray());
    out.flush();
    ScramClient scram = null;
    while (true) {
      Message message = receive();
      switch (message.type) {
        case 'R' -> {
          DataInputStream auth = message.reader();
          int kind = auth.readInt();
          switch (kind) {
            case AUTH_OK -> { }
            case AUTH_CLEARTEXT -> send('p', zeroTerminated(requirePassword(password)));
            case AUTH_MD5 -> {
              byte[] salt = auth.readNBytes(4);
              send('p', zeroTerminated(md5Password(user, requirePassword(password), salt)));
            }
            case AUTH_SASL -> {
              List<String> mechanisms = zeroTerminatedList(auth);
              if (!mechanisms.contains(SCRAM_SHA_256)) {
                throw new SQLException("PgBouncer asks for SASL mechanisms " + mechanisms + "; this client speaks "
                    + SCRAM_SHA_256 + " only", "28000");
              }
              scram = ScramClient.builder().advertisedMechanisms(List.of(SCRAM_SHA_256)).username("*")
                  .password(requirePassword(password).toCharArray()).build();
              byte[] first = scram.clientFirstMessage().toString().getBytes(StandardCharsets.UTF_8);
              ByteArrayOutputStream initial = new ByteArrayOutputStream();
              DataOutputStream initialBody = new DataOutputStream(initial);
              initialBody.write(zeroTerminated(SCRAM_SHA_256));
              initialBody.writeInt(first.length);
              initialBody.write(first);
              send('p', initial.toByteArray());
            }
            case AUTH_SASL_CONTINUE -> {
              String serverFirst = new String(auth.readAllBytes(), StandardCharsets.UTF_8);
              try {
                requireScram(scram).serverFirstMessage(serverFirst);
              } catch (ScramException e) {
                throw scramFailure(e);
              }
              send('p', scram.clientFinalMessage().toString().getBytes(StandardCharsets.UTF_8));
            }
            case AUTH_SASL_FINAL -> {
              String serverFinal = new String(auth.readAllBytes(), StandardCharsets.UTF_8);
              try {
                requireScram(scram).serverFinalMessage(serverFinal); // checks the server's signature
              } catch (ScramException e) {
                throw scramFailure(e);
              }
            }
            default -> throw new SQLException("PgBouncer asks for authentication method " + kind + ", which this"
                + " client does not speak (it speaks trust, password, md5 and scram-sha-256)", "28000");
          }
        }
        case 'S' -> {
          DataInputStream status = message.reader();
          List<String> pair = zeroTerminatedList(status);
          if (pair.size() == 2) {
            parameters.put(pair.get(0), pair.get(1));
          }
        }
        case 'E' -> throw error(message.body, "login");
        case 'Z' -> {
          return;
        }
        default -> {
          // BackendKeyData, notices: not needed for SHOW commands.
        }
      }
    }
  }

  private static String requirePassword(String password) throws SQLException {
    if (password == null) {
      throw new SQLException("PgBouncer asks for a password and none was given (put it in the URL or PGPASSWORD)",
          "28P01");
    }
    return password;
  }

  private static ScramClient requireScram(ScramClient scram) throws SQLException {
    if (scram == null) {
      throw new SQLException("PgBouncer continued a SASL exchange that was never started", "08P01");
    }
    return scram;
  }

  /** PostgreSQL's MD5 password answer: {@code "md5" + md5hex(md5hex(password + user) + salt)}. */
  static String md5Password(String user, String password, byte[] salt) {
    try {
      MessageDigest md5 = MessageDigest.getInstance("MD5");
      String inner = HexFormat.of().formatHex(md5.digest((password + user).getBytes(StandardCharsets.UTF_8)));
      md5.update(inner.getBytes(StandardCharsets.US_ASCII));
      md5.update(salt);
      return "md5" + HexFormat.of().formatHex(md5.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JDK has no MD5, which every Java SE platform must provide", e);
    }
  }

  /* --- Messages --- */

  /** One backend message: its type byte and its body (without type and length). */
  private record Message(char type, byte[] body) {
    DataInputStream reader() {
      return new DataInputStream(new ByteArrayInputStream(body));
    }
  }

  private Message receive() throws IOException, SQLException {
    int type = in.read();
    if (type < 0) {
      throw new EOFException("PgBouncer closed the connection");
    }
    int length = in.readInt();
    if (length < 4 || length > LARGEST_MESSAGE) {
      throw new SQLException("PgBouncer's admin console sent a message of length " + length + " (type '"
          + (char) type + "'): not the PostgreSQL protocol, or a wrong port?", "08P01");
    }
    return new Message((char) type, in.readNBytes(length - 4));
  }

  private void send(char type, byte[] body) throws IOException {
    out.writeByte(type);
    out.writeInt(body.length + 4);
    out.write(body);
    out.flush();
  }

  private static List<String> columnNames(byte[] body) throws IOException {
    DataInputStream reader = new DataInputStream(new ByteArrayInputStream(body));
    int count = reader.readUnsignedShort();
    List<String> names = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      names.add(zeroTerminated(reader));
      reader.skipNBytes(18); // table oid, column number, type oid, type size, type modifier, format
    }
    return names;
  }

  private static Map<String, String> row(List<String> columns, byte[] body) throws IOException {
    DataInputStream reader = new DataInputStream(new ByteArrayInputStream(body));
    int count = reader.readUnsignedShort();
    Map<String, String> row = new LinkedHashMap<>();
    for (int i = 0; i < count; i++) {
      int length = reader.readInt();
      String value = length < 0 ? null : new String(reader.readNBytes(length), StandardCharsets.UTF_8);
      row.put(i < columns.size() ? columns.get(i) : "column" + (i + 1), value);
    }
    return row;
  }

  /** An ErrorResponse as an SQLException: PgBouncer's message, its SQLState, and what we were doing. */
  private static SQLException error(byte[] body, String during) throws IOException {
    DataInputStream reader = new DataInputStream(new ByteArrayInputStream(body));
    String message = "(no message)";
    String sqlState = null;
    int field;
    while ((field = reader.read()) > 0) {
      String value = zeroTerminated(reader);
      if (field == 'M') {
        message = value;
      } else if (field == 'C') {
        sqlState = value;
      }
    }
    return new SQLException("PgBouncer's admin console refused " + during + ": " + message, sqlState);
  }

  private static byte[] zeroTerminated(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    byte[] terminated = new byte[bytes.length + 1];
    System.arraycopy(bytes, 0, terminated, 0, bytes.length);
    return terminated;
  }

  private static String zeroTerminated(DataInputStream reader) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int next;
    while ((next = reader.read()) > 0) {
      bytes.write(next);
    }
    if (next < 0) {
      throw new EOFException("a string in a message from PgBouncer has no terminating zero");
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  private static List<String> zeroTerminatedList(DataInputStream reader) throws IOException {
    List<String> strings = new ArrayList<>();
    while (reader.available() > 0) {
      String next = zeroTerminated(reader);
      if (next.isEmpty()) {
        break;
      }
      strings.add(next);
    }
    return strings;
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // Nothing more to release.
    }
  }

  /** SCRAM's own failures (a malformed message, a server signature that does not match) as a login failure. */
  private static SQLException scramFailure(ScramException e) {
    return new SQLException("SCRAM-SHA-256 login to PgBouncer failed: " + e.getMessage(), "28P01", e);
  }
}
