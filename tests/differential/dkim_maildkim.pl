#!/usr/bin/perl
# dkim_maildkim.pl - Mail::DKIM side of the DKIM differential test
# (dkim_peers.py drives it).  No network: DNS is answered from a file by
# replacing Mail::DKIM::DNS::query, the same seam Mail::DKIM's own test
# suite fakes (t/FakeDNS.pm), so the verifier's TXT parsing is unchanged.
#
#   perl dkim_maildkim.pl caps
#       prints {"ed25519":0|1,"version":"..."}
#   perl dkim_maildkim.pl verify DNSFILE LISTFILE
#       DNSFILE: "name<TAB>joined TXT" lines; LISTFILE: one message path a
#       line.  Prints one JSON object per message:
#       {"file":..,"signatures":[{"domain","selector","algorithm","result","detail"}]}
#   perl dkim_maildkim.pl sign JOBFILE
#       JOBFILE lines: KEY<TAB>DOMAIN<TAB>SELECTOR<TAB>METHOD<TAB>IN<TAB>OUT;
#       writes OUT = signature field + IN unchanged, the field using IN's
#       line ends.
#
# Messages are handed to Mail::DKIM with every bare LF made CRLF, as an
# MTA would transmit them (Mail::DKIM expects CRLF input).
use strict;
use warnings;
use JSON::PP;
use Mail::DKIM;
use Mail::DKIM::Verifier;
use Mail::DKIM::Signer;
use Mail::DKIM::PrivateKey;
use Net::DNS;

my %TXT;

sub load_dns {
    my ($path) = @_;
    open my $fh, '<', $path or die "$path: $!\n";
    while ( my $line = <$fh> ) {
        chomp $line;
        next if $line eq '' || $line =~ /^#/;
        my ( $name, $txt ) = split /\t/, $line, 2;
        push @{ $TXT{ lc $name } }, $txt;
    }
    close $fh;
}

{
    no warnings 'redefine';
    *Mail::DKIM::DNS::query = sub {
        my ( $domain, $type ) = @_;
        $domain = lc $domain;
        $domain =~ s/\.\z//;
        my $recs = $TXT{$domain};
        if ( !$recs ) {
            $@ = 'NXDOMAIN';
            return;
        }
        return () if uc $type ne 'TXT';
        my @rr;
        for my $txt (@$recs) {
            # 255-octet character-strings, as a real zone publishes them
            my @parts = $txt eq '' ? ('') : unpack( '(a255)*', $txt );
            push @rr, Net::DNS::RR->new(
                name    => $domain,
                type    => 'TXT',
                ttl     => 300,
                txtdata => \@parts
            );
        }
        $@ = 'NOERROR';
        return @rr;
    };
}

sub slurp {
    my ($path) = @_;
    open my $fh, '<:raw', $path or die "$path: $!\n";
    local $/;
    my $data = <$fh>;
    close $fh;
    return $data;
}

sub to_crlf {
    my ($s) = @_;
    $s =~ s/(?<!\015)\012/\015\012/g;
    return $s;
}

sub caps {
    my $ed = eval { require Mail::DKIM::Algorithm::ed25519_sha256; 1 } ? 1 : 0;
    print encode_json( { ed25519 => $ed, version => "$Mail::DKIM::VERSION" } ), "\n";
}

sub verify {
    my ( $dnsfile, $listfile ) = @_;
    load_dns($dnsfile);
    open my $list, '<', $listfile or die "$listfile: $!\n";
    my $json = JSON::PP->new->canonical;
    while ( my $path = <$list> ) {
        chomp $path;
        next if $path eq '';
        my $dkim = Mail::DKIM::Verifier->new();
        $dkim->PRINT( to_crlf( slurp($path) ) );
        $dkim->CLOSE;
        my @sigs;
        for my $sig ( $dkim->signatures ) {
            next unless $sig->isa('Mail::DKIM::Signature');    # not DomainKeys
            push @sigs,
              {
                domain    => lc( $sig->domain // '' ),
                selector  => $sig->selector // '',
                algorithm => $sig->algorithm // '',
                result    => $sig->result // '',
                detail    => $sig->result_detail // '',
              };
        }
        print $json->encode( { file => $path, signatures => \@sigs } ), "\n";
    }
    close $list;
}

sub sign {
    my ($jobfile) = @_;
    open my $jobs, '<', $jobfile or die "$jobfile: $!\n";
    while ( my $line = <$jobs> ) {
        chomp $line;
        next if $line eq '';
        my ( $key, $domain, $selector, $method, $in, $out ) = split /\t/, $line;
        my $raw = slurp($in);
        my $eol = $raw =~ /\A[^\012]*?\015\012/ ? "\015\012" : "\012";
        my $dkim = Mail::DKIM::Signer->new(
            Algorithm => 'rsa-sha256',
            Method    => $method,
            Domain    => $domain,
            Selector  => $selector,
            Key       => Mail::DKIM::PrivateKey->load( File => $key ),
        );
        $dkim->PRINT( to_crlf($raw) );
        $dkim->CLOSE;
        my $field = $dkim->signature->as_string;
        $field =~ s/\015?\012/$eol/g;
        open my $fh, '>:raw', $out or die "$out: $!\n";
        print $fh $field, $eol, $raw;
        close $fh or die "$out: $!\n";
    }
    close $jobs;
}

my $mode = shift @ARGV // '';
if    ( $mode eq 'caps' )   { caps() }
elsif ( $mode eq 'verify' ) { verify(@ARGV) }
elsif ( $mode eq 'sign' )   { sign(@ARGV) }
else                        { die "usage: dkim_maildkim.pl caps|verify|sign ...\n" }
