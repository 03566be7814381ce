#!/usr/bin/perl
# Mail::DKIM as the DomainKeys peer: "verify FILE NAME RECORD" prints the
# result of the first DomainKey-Signature (invalid as permerror);
# "sign FILE KEY DOMAIN SELECTOR METHOD [HEADERS]" prints the signed message.
use strict;
use warnings;
use Mail::DKIM::Verifier;
use Mail::DKIM::Signer;
use Mail::DKIM::DkSignature;
use Net::DNS;

my $mode = shift @ARGV;
my $file = shift @ARGV;
open(my $fh, '<', $file) or die "$file: $!";
binmode $fh;
my $msg = do { local $/; <$fh> };
close $fh;
$msg =~ s/(?<!\r)\n/\r\n/g;

if ($mode eq 'verify') {
    my ($name, $record) = @ARGV;
    no warnings 'redefine';
    *Mail::DKIM::DNS::query = sub {
        my ($d, $t) = @_;
        if (lc $d eq lc $name && $t eq 'TXT') {
            my @parts = unpack('(A200)*', $record);
            return Net::DNS::RR->new(name => $d, type => 'TXT', txtdata => [@parts]);
        }
        $@ = 'NXDOMAIN';
        return;
    };
    my $v = Mail::DKIM::Verifier->new();
    $v->PRINT($msg);
    $v->CLOSE;
    my ($sig) = grep { $_->isa('Mail::DKIM::DkSignature') } $v->signatures;
    my $r = $sig ? $sig->result : 'none';
    $r = 'permerror' if $r eq 'invalid';
    print "$r\n";
} else {
    my ($key, $domain, $selector, $method, $headers) = @ARGV;
    my $signer = Mail::DKIM::Signer->new(
        KeyFile => $key,
        Policy => sub {
            my $s = shift;
            $s->add_signature(Mail::DKIM::DkSignature->new(
                Algorithm => 'rsa-sha1', Method => $method, Domain => $domain,
                Selector => $selector, Query => 'dns',
                (defined $headers ? (Headers => $headers) : ())));
            return;
        });
    $signer->PRINT($msg);
    $signer->CLOSE;
    my ($sig) = $signer->signatures;
    print $sig->as_string, "\r\n", $msg;
}
