using System.CommandLine;
using SmmuLab.Cli.Encoding;
using SmmuLab.Hardware.Smmu;
using SmmuLab.Simulation.Workloads;

namespace SmmuLab.Cli.Commands;

/// <summary><c>smmulab run</c>: runs the main job on the embedded default machine and prints its summary.</summary>
public static class RunCommand
{
    public static Command Build()
    {
        var freeRunning = new Option<bool>("--free-running")
        {
            Description = "Consume commands on a device thread instead of inline on the writing thread",
        };
        var command = new Command("run", "Run the default machine: program the SMMU, DMA, unmap with TLBI + CMD_SYNC, fault; print a summary")
        {
            freeRunning,
        };
        command.SetAction(parse =>
        {
            var mode = parse.GetValue(freeRunning) ? ConsumptionMode.FreeRunning : ConsumptionMode.Inline;
            var summary = HandProgrammedRun.Run(mode);
            parse.InvocationConfiguration.Output.Write(summary.Format());
            return ExitCodes.Success;
        });
        return command;
    }
}
