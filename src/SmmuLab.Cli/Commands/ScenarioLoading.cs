using SmmuLab.Scenarios;

namespace SmmuLab.Cli.Commands;

/// <summary>Loads a scenario file (or the embedded default) and reports any problem in one line.</summary>
internal static class ScenarioLoading
{
    /// <summary>What messages call a scenario read from standard input (<c>run -</c>).</summary>
    public const string StandardInputName = "<stdin>";

    /// <summary>
    /// False after writing <c>smmulab: FILE:LINE: KEY: PROBLEM</c> (or an I/O error) to
    /// <paramref name="error"/>. A <paramref name="path"/> of <c>-</c> reads <paramref name="input"/>
    /// (standard input when null), with the same limits as a file.
    /// </summary>
    public static bool TryLoad(string? path, TextWriter error, out Scenario scenario, TextReader? input = null)
    {
        try
        {
            scenario = path switch
            {
                null => ScenarioParser.LoadDefault(),
                "-" => ScenarioParser.ParseReader(input ?? Console.In, StandardInputName),
                _ => ScenarioParser.ParseFile(path),
            };
            return true;
        }
        catch (ScenarioFormatException e)
        {
            error.WriteLine($"smmulab: {e.Message}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"smmulab: {path}: cannot read the scenario: {e.Message}");
        }

        scenario = null!;
        return false;
    }
}
