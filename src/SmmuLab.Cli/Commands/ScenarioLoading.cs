using SmmuLab.Scenarios;

namespace SmmuLab.Cli.Commands;

/// <summary>Loads a scenario file (or the embedded default) and reports any problem in one line.</summary>
internal static class ScenarioLoading
{
    /// <summary>False after writing <c>smmulab: FILE:LINE: KEY: PROBLEM</c> (or an I/O error) to <paramref name="error"/>.</summary>
    public static bool TryLoad(string? path, TextWriter error, out Scenario scenario)
    {
        try
        {
            scenario = path is null ? ScenarioParser.LoadDefault() : ScenarioParser.ParseFile(path);
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
