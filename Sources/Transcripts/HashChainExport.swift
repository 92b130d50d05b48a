// The chain a transcript is verified against lives in module HashChain (the stores extend
// it without depending on transcripts); whoever reads transcripts gets it with them.
@_exported import HashChain
