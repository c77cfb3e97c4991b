import com.sun.source.tree.ClassTree;
import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.VariableTree;
import com.sun.source.util.JavacTask;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.TypeParameterElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.ArrayType;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.type.TypeVariable;
import javax.lang.model.type.WildcardType;
import javax.lang.model.util.Elements;
import javax.lang.model.util.Types;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;

/**
 * Writes the plain JDBC delegation of poolwise-core's handles: one abstract base class per handle, with a
 * forwarding method for every method of the JDBC interface that the hand-written handle does not declare
 * itself. The build runs it before compiling (see poolwise-core/pom.xml, execution
 * {@code generate-jdbc-delegation}):
 *
 * <pre>
 * java poolwise-core/src/generator/DelegationGenerator.java \
 *     poolwise-core/src/main/java/dev/poolwise poolwise-core/target/generated-sources/delegation
 * </pre>
 *
 * <p>The JDBC interfaces are read with javac's model for {@code --release 17}, the release core compiles
 * for, so a newer build JDK cannot add methods that Java 17 does not have. Parameter names come from the
 * build JDK's {@code lib/src.zip} when it has one (they are not in the class files), else they are
 * {@code arg0, arg1, ...}; only the names differ then.
 *
 * <p>The rules, in the order they are tried, for a method the hand-written handle does not declare:
 *
 * <ol>
 *   <li>{@code unwrap} / {@code isWrapperFor}: through {@code HandleUnwrapping}, the one rule for every handle.
 *   <li>A connection's method that returns a {@code Statement}, {@code PreparedStatement} or
 *       {@code CallableStatement} ({@code createStatement}, {@code prepareStatement}, {@code prepareCall}): the
 *       driver's statement goes through the connection handle's {@code statementHandle(raw)},
 *       {@code preparedStatementHandle(raw, sql)} or {@code callableStatementHandle(raw, sql)} (declared abstract
 *       here), which wrap and track it; {@code sql} is the call's first parameter.
 *   <li>Any other method that returns a {@code Connection} or a {@code Statement}: refused. It would hand the
 *       driver's object to the application; the handle must declare it (that is how a new JDBC method cannot leak).
 *   <li>An execution (statements: a method named {@code execute*}; metadata: a method returning a result set):
 *       through {@code connection.beforeExecute(sql)} and {@code connection.afterExecute()}, with the SQL of the
 *       call (its first String parameter), else the SQL given at prepare time, else the metadata method's name.
 *   <li>A method returning a {@code ResultSet}: the result goes through the handle's {@code wrapResultSet}.
 *   <li>A callable statement's {@code getObject} (an out parameter, which may hold a cursor: PostgreSQL returns a
 *       {@code refcursor} as a {@code ResultSet}): the value goes through the handle's {@code wrapCursor}.
 *   <li>Everything else forwards; when the method declares SQLException, its failures pass through
 *       {@code connection.checkBroken} so that a broken connection is evicted.
 * </ol>
 *
 * <p>Generated methods are {@code final} (a handle that needs different behaviour declares the method, and
 * the generator then leaves it out), so the call path is the same as hand-written forwarding: no extra
 * indirection, and the JIT sees one implementation of each {@code wrapResultSet}.
 *
 * <p>For NullAway (core's main compile, see CONTRIBUTING.md), the declarations the generator makes up itself carry
 * {@code @Nullable} where null is allowed: the SQL given at prepare time ({@code null} for plain statements), and
 * {@code wrapResultSet} and {@code wrapCursor}, which pass a driver's {@code null} through. The forwarding methods
 * carry none: they keep the JDBC interfaces' signatures, which NullAway does not check (not in
 * {@code dev.poolwise}), and the hand-written handles that override a JDBC method override the interface's.
 */
public final class DelegationGenerator {

  /** How a generated class gets at the driver's object and the connection handle. */
  private enum Root {
    /** Declares the fields and the constructor itself. */
    FIELDS,
    /** Inherits the fields from a hand-written superclass; passes the constructor arguments up. */
    INHERITED,
    /**
     * The hand-written subclass keeps its own state and gives access through two methods the generated class
     * declares abstract: {@code delegate()} (which refuses use after close) and {@code checkBroken(e)}.
     */
    ACCESSORS
  }

  /** What the execute hook is given as the SQL of an execution; {@code null} when the class has none. */
  private enum Executions {
    NONE,
    STATEMENT,
    METADATA
  }

  /**
   * One generated class.
   *
   * @param name the generated class
   * @param jdbcInterface the JDBC interface it implements
   * @param alreadyImplemented an interface whose methods the superclass already implements, or null
   * @param typeParameter the class's type parameter for the driver's object, or null
   * @param delegateType the type of the driver's object
   * @param superclass the superclass, or null
   * @param root whether the class declares the fields
   * @param withPreparedSql whether the fields include the SQL given at prepare time
   * @param executions which methods pass through the execute hook
   * @param handWritten the hand-written classes whose methods are not generated (they extend this one)
   */
  private record Target(
      String name,
      String jdbcInterface,
      String alreadyImplemented,
      String typeParameter,
      String delegateType,
      String superclass,
      Root root,
      boolean withPreparedSql,
      Executions executions,
      List<String> handWritten) {}

  private static final List<Target> TARGETS =
      List.of(
          new Target("ConnectionDelegation", "java.sql.Connection", null, null, "Connection", null,
              Root.ACCESSORS, false, Executions.NONE, List.of("ConnectionHandle")),
          new Target("ResultSetDelegation", "java.sql.ResultSet", null, null, "ResultSet", null,
              Root.FIELDS, false, Executions.NONE, List.of("ResultSetHandle")),
          new Target("DatabaseMetaDataDelegation", "java.sql.DatabaseMetaData", null, null, "DatabaseMetaData", null,
              Root.FIELDS, false, Executions.METADATA, List.of("DatabaseMetaDataHandle")),
          new Target("StatementDelegation", "java.sql.Statement", null, "S extends Statement", "S", null,
              Root.FIELDS, true, Executions.STATEMENT, List.of("AbstractStatementHandle")),
          new Target("PreparedStatementDelegation", "java.sql.PreparedStatement", "java.sql.Statement",
              "S extends PreparedStatement", "S", "AbstractStatementHandle<S>",
              Root.INHERITED, true, Executions.STATEMENT, List.of("PreparedStatementHandle")),
          new Target("CallableStatementDelegation", "java.sql.CallableStatement", "java.sql.PreparedStatement",
              null, "CallableStatement", "PreparedStatementDelegation<CallableStatement>",
              Root.INHERITED, true, Executions.STATEMENT, List.of("CallableStatementHandle")));

  private static final String PACKAGE = "dev.poolwise";

  private final Elements elements;
  private final Types types;
  private final ParameterNames parameterNames;

  private DelegationGenerator(Elements elements, Types types, ParameterNames parameterNames) {
    this.elements = elements;
    this.types = types;
    this.parameterNames = parameterNames;
  }

  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      System.err.println("usage: java DelegationGenerator.java <dir of the hand-written handles> <output source root>");
      System.exit(2);
    }
    Path handWrittenDir = Path.of(args[0]);
    Path outputRoot = Path.of(args[1]);
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    JavacTask task = (JavacTask) javac.getTask(null, null, null, List.of("--release", "17", "-proc:none"), null, List.of());
    try (ParameterNames names = ParameterNames.fromJdkSources()) {
      DelegationGenerator generator = new DelegationGenerator(task.getElements(), task.getTypes(), names);
      Path packageDir = outputRoot.resolve(PACKAGE.replace('.', '/'));
      Files.createDirectories(packageDir);
      int written = 0;
      for (Target target : TARGETS) {
        Set<String> declared = new HashSet<>();
        for (String handWritten : target.handWritten()) {
          declared.addAll(declaredMethods(handWrittenDir.resolve(handWritten + ".java")));
        }
        String source = generator.generate(target, declared);
        Path file = packageDir.resolve(target.name() + ".java");
        // Rewrite only on change, so that an unchanged build does not recompile core.
        if (!Files.exists(file) || !Files.readString(file).equals(source)) {
          Files.writeString(file, source);
          written++;
        }
      }
      System.out.println("DelegationGenerator: " + TARGETS.size() + " classes in " + packageDir + " (" + written
          + " rewritten; parameter names " + (names.available() ? "from the JDK's src.zip" : "arg0, arg1, ...") + ")");
    }
  }

  /* --- One class --- */

  private String generate(Target target, Set<String> handWrittenMethods) {
    TypeElement jdbc = typeElement(target.jdbcInterface());
    Set<String> inherited = new HashSet<>();
    if (target.alreadyImplemented() != null) {
      for (ExecutableElement method : instanceMethods(typeElement(target.alreadyImplemented()))) {
        inherited.add(erasedSignature(method));
      }
    }
    Imports imports = new Imports();
    imports.add("java.sql.SQLException");
    imports.add(target.jdbcInterface());
    StringBuilder methods = new StringBuilder();
    boolean returnsResultSets = false;
    boolean readsCursors = false;
    Set<String> statementKinds = new TreeSet<>();
    for (ExecutableElement method : instanceMethods(jdbc)) {
      String signature = erasedSignature(method);
      if (inherited.contains(signature) || handWrittenMethods.contains(signature)) {
        continue;
      }
      returnsResultSets |= isResultSet(method.getReturnType());
      readsCursors |= isCursorGetter(target, method);
      if (target.root() == Root.ACCESSORS && isStatement(method.getReturnType())) {
        statementKinds.add(erasedSimpleName(method.getReturnType()));
      }
      methods.append('\n').append(method(target, jdbc, method, imports));
    }

    String simpleInterface = jdbc.getSimpleName().toString();
    StringBuilder out = new StringBuilder();
    out.append("/**\n");
    out.append(" * Generated by poolwise-core/src/generator/DelegationGenerator.java from {@link ").append(simpleInterface)
        .append("} (Java 17); do not edit.\n");
    out.append(" * Every method here forwards to the driver's object; the behaviour that differs is hand-written in\n");
    out.append(" * ").append(target.handWritten().stream().map(h -> "{@link " + h + "}").collect(Collectors.joining(", ")))
        .append(", which declares the methods it changes (the generator leaves those out).\n");
    out.append(" *\n");
    out.append(" * <p>Concurrency: none of its own; a handle is used by the thread that uses its connection. Failure\n");
    out.append(" * modes: every SQLException of the driver passes through {@link ConnectionHandle#checkBroken}, which\n");
    out.append(" * marks the connection for eviction when the SQLState says it is broken, and reaches the caller unchanged.\n");
    out.append(" */\n");
    out.append("abstract class ").append(target.name());
    if (target.typeParameter() != null) {
      out.append('<').append(target.typeParameter()).append('>');
    }
    if (target.superclass() != null) {
      out.append(" extends ").append(target.superclass());
    }
    out.append(" implements ").append(simpleInterface).append(" {\n");

    if (target.root() == Root.ACCESSORS) {
      out.append("\n  /** The driver's object; fails with SQLState 08003 once the handle was closed. */\n");
      out.append("  abstract ").append(target.delegateType()).append(" delegate() throws SQLException;\n");
      out.append("\n  /** Marks the connection for eviction when the failure says it is broken; returns the failure. */\n");
      out.append("  abstract <E extends SQLException> E checkBroken(E failure);\n");
      for (String kind : statementKinds) {
        imports.add("java.sql." + kind);
        boolean prepared = !kind.equals("Statement");
        out.append("\n  /** The handle the application gets for a driver's {@code ").append(kind)
            .append("}: wrapped and tracked, so that it is closed when the connection is returned. */\n");
        out.append("  abstract ").append(kind).append(' ').append(statementHandleFactory(kind)).append('(').append(kind)
            .append(" raw").append(prepared ? ", String sql" : "").append(");\n");
      }
    }
    if (target.root() == Root.FIELDS) {
      out.append("\n  /** The driver's object. */\n");
      out.append("  final ").append(target.delegateType()).append(" delegate;\n");
      out.append("  /** The connection handle: its failure check and its execute hook. */\n");
      out.append("  final ConnectionHandle connection;\n");
      if (target.withPreparedSql()) {
        out.append("  /** The SQL given at prepare time, passed to the execute hook; {@code null} for plain statements. */\n");
        out.append("  final @Nullable String preparedSql;\n");
      }
    }
    if (target.root() != Root.ACCESSORS) {
      out.append('\n');
      String parameters = target.delegateType() + " delegate, ConnectionHandle connection"
          + (target.withPreparedSql() ? ", @Nullable String preparedSql" : "");
      out.append("  ").append(target.name()).append('(').append(parameters).append(") {\n");
      if (target.root() == Root.FIELDS) {
        out.append("    this.delegate = delegate;\n");
        out.append("    this.connection = connection;\n");
        if (target.withPreparedSql()) {
          out.append("    this.preparedSql = preparedSql;\n");
        }
      } else {
        out.append("    super(delegate, connection").append(target.withPreparedSql() ? ", preparedSql" : "").append(");\n");
      }
      out.append("  }\n");
    }
    if (returnsResultSets && target.root() == Root.FIELDS) {
      imports.add("java.sql.ResultSet");
      out.append('\n');
      out.append("  /** The handle the application gets for a result set of the driver's; {@code null} for {@code null}. */\n");
      out.append("  abstract @Nullable ResultSet wrapResultSet(@Nullable ResultSet raw);\n");
    }
    if (readsCursors) {
      out.append('\n');
      out.append("  /** An out parameter's value; a cursor ({@code ResultSet}) comes back as the pool's handle. */\n");
      out.append("  abstract @Nullable Object wrapCursor(@Nullable Object value);\n");
      out.append('\n');
      out.append("  /** As {@link #wrapCursor(Object)}, when {@code type} admits the handle. */\n");
      out.append("  abstract @Nullable <T> T wrapCursor(@Nullable T value, Class<T> type);\n");
    }
    out.append(methods);
    out.append("}\n");
    // The imports are known only once the class is written.
    return "package " + PACKAGE + ";\n\n" + imports.render() + "\n" + out;
  }

  private String method(Target target, TypeElement jdbc, ExecutableElement method, Imports imports) {
    String name = method.getSimpleName().toString();
    List<String> names = parameterNames.of(jdbc, method, this::erasedSimpleName);
    StringBuilder sig = new StringBuilder();
    List<? extends TypeParameterElement> typeParameters = method.getTypeParameters();
    if (!typeParameters.isEmpty()) {
      sig.append('<');
      for (int i = 0; i < typeParameters.size(); i++) {
        TypeParameterElement typeParameter = typeParameters.get(i);
        sig.append(i == 0 ? "" : ", ").append(typeParameter.getSimpleName());
        List<? extends TypeMirror> bounds = typeParameter.getBounds();
        if (!(bounds.size() == 1 && bounds.get(0).toString().equals("java.lang.Object"))) {
          sig.append(" extends ").append(bounds.stream().map(b -> imports.print(b)).collect(Collectors.joining(" & ")));
        }
      }
      sig.append("> ");
    }
    TypeMirror returnType = method.getReturnType();
    boolean returnsVoid = returnType.getKind() == TypeKind.VOID;
    sig.append(returnsVoid ? "void" : imports.print(returnType)).append(' ').append(name).append('(');
    List<? extends VariableElement> parameters = method.getParameters();
    for (int i = 0; i < parameters.size(); i++) {
      sig.append(i == 0 ? "" : ", ").append(imports.print(parameters.get(i).asType())).append(' ').append(names.get(i));
    }
    sig.append(')');
    List<? extends TypeMirror> thrown = method.getThrownTypes();
    if (!thrown.isEmpty()) {
      sig.append(" throws ").append(thrown.stream().map(imports::print).collect(Collectors.joining(", ")));
    }
    boolean throwsSqlException = thrown.stream().anyMatch(t -> types.isSubtype(typeElement("java.sql.SQLException").asType(), t));

    String arguments = String.join(", ", names);
    boolean accessors = target.root() == Root.ACCESSORS;
    String call = (accessors ? "delegate()." : "delegate.") + name + "(" + arguments + ")";
    String hookSql = null;
    if (accessors && (name.equals("unwrap") || name.equals("isWrapperFor"))) {
      throw new IllegalStateException(target.handWritten() + " must declare " + name + ": HandleUnwrapping needs its fields");
    } else if (name.equals("unwrap")) {
      call = "HandleUnwrapping.unwrap(this, delegate, " + arguments + ", connection)";
    } else if (name.equals("isWrapperFor")) {
      call = "HandleUnwrapping.isWrapperFor(this, delegate, " + arguments + ")";
    } else if (accessors && isStatement(returnType)) {
      String kind = erasedSimpleName(returnType);
      boolean prepared = !kind.equals("Statement");
      if (prepared && (parameters.isEmpty() || !erasedQualifiedName(parameters.get(0).asType()).equals("java.lang.String"))) {
        throw new IllegalStateException(jdbc.getSimpleName() + "." + name + " returns a " + kind
            + " but takes no SQL first: declare it in " + target.handWritten());
      }
      call = statementHandleFactory(kind) + "(" + call + (prepared ? ", " + names.get(0) : "") + ")";
    } else {
      String returned = erasedQualifiedName(returnType);
      if (returned.equals("java.sql.Connection") || returned.startsWith("java.sql.") && returned.endsWith("Statement")) {
        throw new IllegalStateException(jdbc.getSimpleName() + "." + name + " returns a " + returned
            + ": the generator will not hand the driver's object out. Declare the method in "
            + target.handWritten() + " and return the pool's handle.");
      }
      hookSql = switch (target.executions()) {
        case NONE -> null;
        case STATEMENT -> !name.startsWith("execute") ? null
            : !parameters.isEmpty() && erasedQualifiedName(parameters.get(0).asType()).equals("java.lang.String") ? names.get(0)
            : "preparedSql";
        case METADATA -> isResultSet(returnType) ? "\"" + jdbc.getSimpleName() + "." + name + "\"" : null;
      };
      if (isResultSet(returnType)) {
        call = "wrapResultSet(" + call + ")";
      } else if (isCursorGetter(target, method)) {
        boolean typed = erasedQualifiedName(parameters.get(parameters.size() - 1).asType()).equals("java.lang.Class");
        call = "wrapCursor(" + call + (typed ? ", " + names.get(names.size() - 1) : "") + ")";
      }
    }
    String statement = (returnsVoid ? "" : "return ") + call + ";";

    StringBuilder out = new StringBuilder();
    if (elements.isDeprecated(method)) {
      out.append("  @Deprecated\n");
    }
    out.append("  @Override\n");
    out.append("  public final ").append(sig).append(" {\n");
    if (hookSql != null) {
      out.append("    connection.beforeExecute(").append(hookSql).append(");\n");
    }
    if (!throwsSqlException) {
      if (accessors) {
        throw new IllegalStateException(target.handWritten() + " must declare " + name + ": it cannot fail, delegate() can");
      }
      if (hookSql != null) {
        throw new IllegalStateException(name + ": an execution that cannot fail with SQLException");
      }
      out.append("    ").append(statement).append('\n');
    } else {
      out.append("    try {\n");
      out.append("      ").append(statement).append('\n');
      out.append("    } catch (SQLException e) {\n");
      out.append(accessors ? "      throw checkBroken(e);\n" : "      throw connection.checkBroken(e);\n");
      if (hookSql != null) {
        out.append("    } finally {\n");
        out.append("      connection.afterExecute();\n");
      }
      out.append("    }\n");
    }
    out.append("  }\n");
    return out.toString();
  }

  /* --- The JDBC model --- */

  private TypeElement typeElement(String qualifiedName) {
    TypeElement type = elements.getTypeElement(qualifiedName);
    if (type == null) {
      throw new IllegalStateException(qualifiedName + " is not in the Java 17 platform model");
    }
    return type;
  }

  /** The interface's abstract and default methods, its own and inherited, in declaration order; not Object's. */
  private List<ExecutableElement> instanceMethods(TypeElement type) {
    List<ExecutableElement> methods = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    collect(type, methods, seen);
    return methods;
  }

  private void collect(TypeElement type, List<ExecutableElement> methods, Set<String> seen) {
    for (Element member : type.getEnclosedElements()) {
      if (member.getKind() == ElementKind.METHOD
          && !member.getModifiers().contains(Modifier.STATIC)
          && !member.getModifiers().contains(Modifier.PRIVATE)) {
        ExecutableElement method = (ExecutableElement) member;
        if (seen.add(erasedSignature(method))) {
          methods.add(method);
        }
      }
    }
    for (TypeMirror superInterface : type.getInterfaces()) {
      collect((TypeElement) types.asElement(superInterface), methods, seen);
    }
  }

  private boolean isStatement(TypeMirror type) {
    String erased = erasedQualifiedName(type);
    return erased.equals("java.sql.Statement") || erased.equals("java.sql.PreparedStatement")
        || erased.equals("java.sql.CallableStatement");
  }

  /** {@code statementHandle}, {@code preparedStatementHandle}, {@code callableStatementHandle}. */
  private static String statementHandleFactory(String kind) {
    return Character.toLowerCase(kind.charAt(0)) + kind.substring(1) + "Handle";
  }

  /** A callable statement's {@code getObject}: its out parameter may be a cursor. */
  private static boolean isCursorGetter(Target target, ExecutableElement method) {
    return target.jdbcInterface().equals("java.sql.CallableStatement") && method.getSimpleName().contentEquals("getObject");
  }

  private static boolean isResultSet(TypeMirror type) {
    return type.toString().equals("java.sql.ResultSet");
  }

  private String erasedQualifiedName(TypeMirror type) {
    return types.erasure(type).toString();
  }

  /** The method's name and erased simple parameter types, e.g. {@code getObject(int,Class)}: what matches it in source. */
  private String erasedSignature(ExecutableElement method) {
    return method.getSimpleName() + "(" + method.getParameters().stream()
        .map(p -> erasedSimpleName(p.asType())).collect(Collectors.joining(",")) + ")";
  }

  private String erasedSimpleName(TypeMirror type) {
    if (type.getKind() == TypeKind.ARRAY) {
      return erasedSimpleName(((ArrayType) type).getComponentType()) + "[]";
    }
    if (type.getKind() == TypeKind.TYPEVAR) {
      return ((TypeVariable) type).asElement().getSimpleName().toString();
    }
    String erased = types.erasure(type).toString();
    return erased.substring(erased.lastIndexOf('.') + 1);
  }

  /**
   * The signature of a method declared in source, the way {@link #erasedSignature(ExecutableElement)} writes
   * it: type arguments dropped, qualified names shortened. A type variable keeps its name on both sides.
   */
  private static String erasedSignature(MethodTree method) {
    return method.getName() + "(" + method.getParameters().stream()
        .map(p -> erasedSimpleName(p.getType())).collect(Collectors.joining(",")) + ")";
  }

  private static String erasedSimpleName(Tree type) {
    String text = type.toString().replaceAll("<.*>", "").replace("...", "[]").trim();
    return text.substring(text.lastIndexOf('.') + 1);
  }

  /** The erased signatures of the methods a hand-written source file declares, found by parsing it. */
  private static Set<String> declaredMethods(Path source) throws IOException {
    if (!Files.exists(source)) {
      throw new IllegalStateException("No hand-written handle at " + source);
    }
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    JavaFileObject file = new SimpleJavaFileObject(source.toUri(), JavaFileObject.Kind.SOURCE) {
      @Override
      public CharSequence getCharContent(boolean ignoreEncodingErrors) throws IOException {
        return Files.readString(source, StandardCharsets.UTF_8);
      }
    };
    JavacTask task = (JavacTask) javac.getTask(null, null, null, List.of("-proc:none"), null, List.of(file));
    Set<String> signatures = new HashSet<>();
    for (CompilationUnitTree unit : task.parse()) {
      for (Tree declaration : unit.getTypeDecls()) {
        if (declaration instanceof ClassTree type) {
          for (Tree member : type.getMembers()) {
            if (member instanceof MethodTree method && !method.getName().contentEquals("<init>")) {
              signatures.add(erasedSignature(method));
            }
          }
        }
      }
    }
    return signatures;
  }

  /* --- Parameter names --- */

  /**
   * The JDK's own parameter names, read from the build JDK's {@code lib/src.zip}. The class files (and
   * {@code ct.sym}) do not keep them; without the sources, {@code arg0, arg1, ...}.
   */
  private static final class ParameterNames implements AutoCloseable {
    private final FileSystem srcZip;
    private final Map<String, Map<String, List<String>>> byInterface = new HashMap<>();

    private ParameterNames(FileSystem srcZip) {
      this.srcZip = srcZip;
    }

    static ParameterNames fromJdkSources() throws IOException {
      Path zip = Path.of(System.getProperty("java.home"), "lib", "src.zip");
      if (!Files.isRegularFile(zip)) {
        return new ParameterNames(null);
      }
      return new ParameterNames(FileSystems.newFileSystem(zip));
    }

    boolean available() {
      return srcZip != null;
    }

    List<String> of(TypeElement jdbcInterface, ExecutableElement method, java.util.function.Function<TypeMirror, String> simpleName) {
      TypeElement declaring = (TypeElement) method.getEnclosingElement();
      String signature = method.getSimpleName() + "(" + method.getParameters().stream()
          .map(p -> simpleName.apply(p.asType())).collect(Collectors.joining(",")) + ")";
      List<String> names = namesIn(declaring.getQualifiedName().toString()).get(signature);
      if (names == null) {
        names = new ArrayList<>();
        for (int i = 0; i < method.getParameters().size(); i++) {
          names.add("arg" + i);
        }
      }
      return names;
    }

    private Map<String, List<String>> namesIn(String qualifiedName) {
      return byInterface.computeIfAbsent(qualifiedName, this::parse);
    }

    private Map<String, List<String>> parse(String qualifiedName) {
      Map<String, List<String>> names = new TreeMap<>();
      if (srcZip == null) {
        return names;
      }
      Path source = srcZip.getPath("java.sql", qualifiedName.replace('.', '/') + ".java");
      if (!Files.exists(source)) {
        return names;
      }
      try {
        String text = Files.readString(source, StandardCharsets.UTF_8);
        JavaFileObject file = new SimpleJavaFileObject(URI.create("string:///" + qualifiedName.replace('.', '/') + ".java"), JavaFileObject.Kind.SOURCE) {
          @Override
          public CharSequence getCharContent(boolean ignoreEncodingErrors) {
            return text;
          }
        };
        JavacTask task = (JavacTask) ToolProvider.getSystemJavaCompiler().getTask(null, null, null, List.of("-proc:none"), null, List.of(file));
        for (CompilationUnitTree unit : task.parse()) {
          for (Tree declaration : unit.getTypeDecls()) {
            if (declaration instanceof ClassTree type) {
              for (Tree member : type.getMembers()) {
                if (member instanceof MethodTree method) {
                  names.put(erasedSignature(method),
                      method.getParameters().stream().map(VariableTree::getName).map(Object::toString).toList());
                }
              }
            }
          }
        }
      } catch (IOException e) {
        throw new IllegalStateException("Cannot read " + source, e);
      }
      return names;
    }

    @Override
    public void close() throws IOException {
      if (srcZip != null) {
        srcZip.close();
      }
    }
  }

  /* --- Types as source text, with imports --- */

  /** Prints types by their simple names and remembers the imports that takes; a clashing name stays qualified. */
  private static final class Imports {
    private final Map<String, String> qualifiedBySimple = new TreeMap<>();

    void add(String qualifiedName) {
      String simple = qualifiedName.substring(qualifiedName.lastIndexOf('.') + 1);
      qualifiedBySimple.putIfAbsent(simple, qualifiedName);
    }

    String print(TypeMirror type) {
      switch (type.getKind()) {
        case ARRAY:
          return print(((ArrayType) type).getComponentType()) + "[]";
        case TYPEVAR:
          return ((TypeVariable) type).asElement().getSimpleName().toString();
        case WILDCARD: {
          WildcardType wildcard = (WildcardType) type;
          if (wildcard.getExtendsBound() != null) {
            return "? extends " + print(wildcard.getExtendsBound());
          }
          if (wildcard.getSuperBound() != null) {
            return "? super " + print(wildcard.getSuperBound());
          }
          return "?";
        }
        case DECLARED: {
          DeclaredType declared = (DeclaredType) type;
          TypeElement element = (TypeElement) declared.asElement();
          String qualified = element.getQualifiedName().toString();
          String simple = element.getSimpleName().toString();
          String printed;
          if (qualified.equals("java.lang." + simple)) {
            printed = simple;
          } else {
            add(qualified);
            printed = qualifiedBySimple.get(simple).equals(qualified) ? simple : qualified;
          }
          if (!declared.getTypeArguments().isEmpty()) {
            printed += declared.getTypeArguments().stream().map(this::print).collect(Collectors.joining(", ", "<", ">"));
          }
          return printed;
        }
        default:
          return type.toString();
      }
    }

    String render() {
      return qualifiedBySimple.values().stream().sorted().map(q -> "import " + q + ";\n").collect(Collectors.joining());
    }
  }
}
